"""Reading member and punch-card codes from camera frames, image files and video files (no Qt here)."""

from pos_client.scanning.decode import decode_frame
from pos_client.scanning.result import Decoded

__all__ = ["Decoded", "decode_frame"]
