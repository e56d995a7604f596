"""Reading member and punch-card codes from camera frames, image files and video files.

The core of the counter's webcam scanning, with no Qt in it (STYLE.md, habit 1): `ui/` runs the capture loop
on a worker thread and calls these plain functions. Modules, one job each:

- `sources`: frames from a camera, a video file, an image or a folder (`open_source`, `list_cameras`).
- `decode`: the decoding pipeline, `decode_frame(frame) -> list[Decoded]` (zxing-cpp and ZBar, QR codes,
  Code 128 and EAN-13 only), helped by `locate` (where codes may be), `enhance` (image clean-ups),
  `deblur` (motion blur removal) and `readers` (the two libraries behind one shape).
- `result`: `Decoded`, the value every decoder hands back.
- `payload`: what a scanned text is (`check_payload`: member token, card number, or refused with a reason).
- `confirm`: one accepted code per presentation of a card (`CodeConfirmer`).
- `cli_scan`: `kupa scan FILE...` (`scan_files`).
"""

from pos_client.scanning.cli_scan import scan_files
from pos_client.scanning.confirm import CodeConfirmer
from pos_client.scanning.decode import STAGE_NAMES, decode_detail, decode_frame
from pos_client.scanning.live import LiveDecoder
from pos_client.scanning.payload import PayloadCheck, PayloadKind, check_payload
from pos_client.scanning.result import SYMBOLOGIES, Decoded, Symbology
from pos_client.scanning.sources import (
    FrameSource,
    ScanSourceError,
    list_cameras,
    open_camera,
    open_file,
    open_folder,
    open_image,
    open_source,
    open_video,
)

__all__ = [
    "SYMBOLOGIES",
    "STAGE_NAMES",
    "CodeConfirmer",
    "Decoded",
    "FrameSource",
    "LiveDecoder",
    "PayloadCheck",
    "PayloadKind",
    "ScanSourceError",
    "Symbology",
    "check_payload",
    "decode_detail",
    "decode_frame",
    "list_cameras",
    "open_camera",
    "open_file",
    "open_folder",
    "open_image",
    "open_source",
    "open_video",
    "scan_files",
]
