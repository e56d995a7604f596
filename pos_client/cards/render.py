"""The printable member card: a wallet-size PNG or PDF the cashier prints and hands to the member.

Why here: a member is enrolled at the counter, often while the terminal is offline, so the terminal itself must
produce a card the customer keeps. The card is an ISO/IEC 7810 ID-1 face (85.60 × 53.98 mm) at 600 dpi carrying
the signed QR token (what the camera scans; only it unlocks spending) and a Code 128 of the card number (for the
older wedge scanners that read 1D only). It is pure core code (Pillow, qrcode, python-barcode; never Qt) so the
CLI, the UI preview and the tests produce the same bytes.

Right-to-left: Pillow draws characters in logical order unless libraqm with FriBiDi is available. Where it is not
(the stock Windows wheels, for one) each line is reordered with the Unicode bidi algorithm from python-bidi. A card
whose member name is right-to-left is laid out mirrored: the name right-aligned on the right, the QR code on the
left. Text that does not fit is shrunk, then ellipsised between characters, never clipped. Words printed on the
card (the tier, the "issued" label) arrive already translated: the core has no translator.
"""

from __future__ import annotations

import functools
import importlib
import io
import logging
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import qrcode
from barcode.codex import Code128
from PIL import Image, ImageDraw, ImageFont, features
from qrcode.constants import ERROR_CORRECT_M

from pos_client.errors import InvalidInputError
from pos_client.messages import message

log = logging.getLogger(__name__)


def _load_bidi() -> Callable[[str], str] | None:
    try:
        display: Callable[[str], str] = importlib.import_module("bidi").get_display
    except ImportError:  # pragma: no cover - depends on the installation
        return None
    return display


_bidi_display = _load_bidi()

CardFormat = Literal["png", "pdf"]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
RGB = tuple[int, int, int]

DPI = 600
FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
_FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
#: Whether Pillow shapes and reorders text itself (libraqm with FriBiDi); otherwise python-bidi reorders.
USE_RAQM = bool(features.check("raqm") and features.check("fribidi"))


def _px(mm: float) -> int:
    return round(mm * DPI / 25.4)


def _pt(points: float) -> int:
    return round(points * DPI / 72)


CARD_SIZE_PX = (_px(85.60), _px(53.98))
_MARGIN, _BAND_H, _QR_MAX = _px(4.0), _px(10.0), _px(32.0)  # QR_MAX includes the 4-module quiet zone
_INK, _MUTED, _WHITE, _EDGE = (33, 37, 41), (96, 104, 112), (255, 255, 255), (190, 190, 190)
_BAND, _TINT = (15, 76, 92), (222, 235, 238)  # the header band; the tier badge
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MAX_CHARS = 120  # more than any card line can show even ellipsised


class UnsupportedCardFormat(InvalidInputError, ValueError):
    """A card file name whose extension is neither .png nor .pdf."""


@dataclass(frozen=True)
class CardFace:
    """What is printed on one member card. `tier_name` and `issued_label` come already localised."""

    store_name: str
    member_name: str
    member_id: str
    tier_name: str
    token: str
    card_number: str
    issued: date
    issued_label: str = ""  # e.g. tr("Issued"); empty prints the date alone

    def __post_init__(self) -> None:
        for field, value in (("token", self.token), ("card number", self.card_number)):
            if not value or not value.isascii() or not value.isprintable():
                raise ValueError(f"the {field} must be non-empty printable ASCII, got {value!r}")
        if len(self.card_number) > 32:
            raise ValueError(f"card number too long for a Code 128 on a card: {self.card_number!r}")


CARD_FORMAT = message("card.file_format",
                      en="Cannot save a member card as '{name}': use a file name ending in .png or .pdf.",
                      he="אי אפשר לשמור כרטיס חבר בשם '{name}': השתמשו בשם קובץ שמסתיים ב־.png או ב־.pdf.")


def card_filename_format(path: str | os.PathLike[str]) -> CardFormat:
    """The card format a file name asks for, from its extension (case-insensitive)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        return "png"
    if suffix == ".pdf":
        return "pdf"
    raise UnsupportedCardFormat(CARD_FORMAT, name=Path(path).name)


def render_card(face: CardFace, fmt: CardFormat) -> bytes:
    """The card as PNG bytes (600 dpi, dpi metadata) or a one-page PDF of exactly ID-1 size."""
    image = render_card_image(face)
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, "PNG", dpi=(DPI, DPI))
    elif fmt == "pdf":  # the page is the image at 600 dpi; JPEG at high quality keeps the codes crisp
        image.save(out, "PDF", resolution=float(DPI), quality=95, subsampling=0)
    else:
        raise ValueError(f"unknown card format {fmt!r}: expected 'png' or 'pdf'")
    return out.getvalue()


def render_card_image(face: CardFace) -> Image.Image:
    """The card as an RGB image of `CARD_SIZE_PX` (for a preview, or to save in another way)."""
    width, height = CARD_SIZE_PX
    card = Image.new("RGB", CARD_SIZE_PX, _WHITE)
    draw = ImageDraw.Draw(card)
    rtl = _card_is_rtl(face)
    radius = _px(3.18)  # the ID-1 corner radius; the outline is the cut line when printed on paper
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius, fill=_WHITE, outline=_EDGE, width=3)
    draw.rounded_rectangle((0, 0, width - 1, _BAND_H), radius, fill=_BAND, corners=(True, True, False, False))
    store, size = _fit(face.store_name, width - 2 * _MARGIN, _pt(12), _pt(7), bold=True)
    ascent, descent = _metrics(_font(size, True))
    store_rtl = _strong_direction(store) is True
    _put(card, store, size, True, _WHITE, width - _MARGIN if store_rtl else _MARGIN,
         (_BAND_H + ascent - descent) // 2, align_right=store_rtl)

    qr_left, qr_right = _draw_qr(card, face.token, rtl)
    col_left, col_right = (qr_right + _px(1.0), width - _MARGIN) if rtl else (_MARGIN, qr_left - _px(1.0))
    col_w, start = col_right - col_left, col_right if rtl else col_left
    name, size = _fit(face.member_name, col_w, _pt(13), _pt(7), bold=True)
    _put(card, name, size, True, _INK, start, _px(18.0), align_right=rtl)

    baseline = _px(24.0)
    member_id, id_size = _fit(face.member_id, col_w // 2, _pt(9), _pt(6))
    id_end = _put(card, member_id, id_size, False, _INK, start, baseline, align_right=rtl)
    gap, pad = _px(2.0), _px(1.2)
    tier, size = _fit(face.tier_name, col_w - abs(id_end - start) - gap - 2 * pad, _pt(7.5), _pt(5), bold=True)
    if tier:  # a tinted badge after the member id, in reading order
        tier_w = _text_mask(tier, size, True).width
        x0 = id_end - gap - tier_w - 2 * pad if rtl else id_end + gap
        asc, desc = _metrics(_font(size, True))
        box = (x0, baseline - asc - _px(0.4), x0 + tier_w + 2 * pad, baseline + desc + _px(0.4))
        draw.rounded_rectangle(box, radius=_px(1.0), fill=_TINT)
        _put(card, tier, size, True, _BAND, x0 + pad, baseline, align_right=False)

    issued, size = _fit(f"{face.issued_label} {face.issued.isoformat()}".strip(), col_w, _pt(7), _pt(5))
    _put(card, issued, size, False, _MUTED, start, _px(29.0), align_right=rtl)
    _draw_code128(card, face.card_number, col_left, col_right, rtl)
    return card


def _card_is_rtl(face: CardFace) -> bool:
    """The member name decides the card's direction; a name with no letters defers to the tier, then the store."""
    directions = (_strong_direction(text) for text in (face.member_name, face.tier_name, face.store_name))
    return next((rtl for rtl in directions if rtl is not None), False)


def _strong_direction(text: str) -> bool | None:
    """True for right-to-left, False for left-to-right, None without a strong character (first one wins)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return None


def _clean(text: str) -> str:
    """One line of printable text: controls become spaces; explicit bidi overrides are dropped (anti-spoofing)."""
    chars = (" " if unicodedata.category(c) == "Cc" else c for c in text if c not in _BIDI_CONTROLS)
    return " ".join("".join(chars).split())[:_MAX_CHARS]


@functools.lru_cache(maxsize=None)
def _warn_once(message: str) -> None:
    log.warning("%s", message)


@functools.lru_cache(maxsize=64)
def _load_font(size: int, bold: bool, raqm: bool, font_dir: Path) -> Font:
    path = font_dir / _FONT_FILES[bold]
    engine = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC
    if path.is_file():  # checked first: truetype() would quietly search the system's font folders instead
        try:
            return ImageFont.truetype(str(path), size, layout_engine=engine)
        except OSError as exc:
            _warn_once(f"card font {path} is unreadable ({exc}); using Pillow's default font (no Hebrew)")
    else:
        _warn_once(f"card font {path} is missing; using Pillow's default font (no Hebrew glyphs)")
    return ImageFont.load_default(size)


def _font(size: int, bold: bool) -> Font:
    return _load_font(size, bold, USE_RAQM, FONT_DIR)


def _metrics(font: Font) -> tuple[int, int]:
    if isinstance(font, ImageFont.FreeTypeFont):
        return font.getmetrics()
    top, bottom = font.getbbox("Ag")[1::2]
    return int(-top), int(bottom)


def to_visual(text: str) -> str:
    """`text` in the order the current text engine must receive it to display it correctly."""
    if USE_RAQM:
        return text  # raqm runs the bidi algorithm itself
    if _bidi_display is None:
        if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
            _warn_once("neither libraqm nor python-bidi is available: right-to-left text prints backwards")
        return text
    return _bidi_display(text)


def _text_width(text: str, size: int, bold: bool) -> float:
    return _font(size, bold).getlength(to_visual(text))


def _text_mask(text: str, size: int, bold: bool) -> Image.Image:
    """One line as an "L" mask (255 = ink): as wide as its advance or ink, as tall as the font's line."""
    return _shaped_mask(to_visual(text), _font(size, bold))


@functools.lru_cache(maxsize=32)
def _shaped_mask(shown: str, font: Font) -> Image.Image:
    ascent, descent = _metrics(font)
    left, _, right, _ = font.getbbox(shown, anchor="ls")
    x0, x1 = min(0, int(left)), max(int(right) + 1, int(font.getlength(shown) + 0.999))
    mask = Image.new("L", (max(1, x1 - x0), ascent + descent), 0)
    ImageDraw.Draw(mask).text((-x0, ascent), shown, font=font, fill=255, anchor="ls")
    return mask


def render_text(text: str, size_px: int, *, bold: bool = False) -> Image.Image:
    """One line of (possibly right-to-left) text as an "L" mask, 255 = ink, in correct visual order."""
    return _text_mask(_clean(text), size_px, bold).copy()


def _fit(text: str, max_w: int, max_px: int, min_px: int, *, bold: bool = False) -> tuple[str, int]:
    """`text` and a font size that fit `max_w`: shrink down to `min_px`, then cut between characters + '…'."""
    text, size = _clean(text), max_px
    while _text_width(text, size, bold) > max_w:
        if size == min_px:
            break
        size = max(min_px, int(size * 0.94))
    else:
        return text, size
    cuts = [i for i in range(1, len(text)) if not unicodedata.combining(text[i])]  # never split a mark off
    best, lo, hi = "…", 0, len(cuts) - 1
    while lo <= hi:  # the longest prefix that fits with its ellipsis
        mid = (lo + hi) // 2
        candidate = text[: cuts[mid]].rstrip() + "…"
        if _text_width(candidate, size, bold) <= max_w:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best, size


def _put(card: Image.Image, text: str, size: int, bold: bool, color: RGB, x: int, baseline: int, *,
         align_right: bool) -> int:
    """Paints one line on `baseline` starting (or, right-aligned, ending) at `x`; returns its other end."""
    if not text:
        return x
    mask = _text_mask(text, size, bold)
    left = x - mask.width if align_right else x
    top = baseline - _metrics(_font(size, bold))[0]
    card.paste(color, (left, top, left + mask.width, top + mask.height), mask)
    return left if align_right else left + mask.width


def _draw_qr(card: Image.Image, token: str, rtl: bool) -> tuple[int, int]:
    """Draws the token's QR code (EC level M, whole-pixel modules); returns the x-span of it with its quiet zone."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=0)
    qr.add_data(token)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    count = len(matrix)
    module = _QR_MAX // (count + 8)
    small = Image.new("L", (count, count), 255)
    small.putdata([0 if dark else 255 for row in matrix for dark in row])
    symbol = small.resize((count * module, count * module), Image.Resampling.NEAREST)
    width, height = CARD_SIZE_PX
    x = _MARGIN if rtl else width - _MARGIN - symbol.width
    y = (_BAND_H + height - symbol.height) // 2
    quiet = 4 * module
    span = (x - quiet, y - quiet, x + symbol.width + quiet, y + symbol.height + quiet)
    ImageDraw.Draw(card).rectangle(span, fill=_WHITE)
    card.paste(symbol, (x, y))
    return span[0], span[2]


def _draw_code128(card: Image.Image, number: str, col_left: int, col_right: int, rtl: bool) -> None:
    """The card number as Code 128 bars (whole-pixel modules, 10-module quiet zones) with the number under it."""
    bits: str = Code128(number).build()[0]
    module = min(_px(0.254), (col_right - col_left) // (len(bits) + 20))
    if module < 2:
        raise ValueError(f"card number {number!r} is too long for a Code 128 on a card")
    bars_w, quiet = len(bits) * module, 10 * module
    width = CARD_SIZE_PX[0]  # the card's own margin serves as the outer quiet zone when it is wide enough
    x0 = min(col_right, width - quiet) - bars_w if rtl else max(col_left, quiet)
    top, bottom = _px(35.5), _px(45.0)
    draw = ImageDraw.Draw(card)
    for i, bit in enumerate(bits):
        if bit == "1":
            draw.rectangle((x0 + i * module, top, x0 + (i + 1) * module - 1, bottom), fill=(0, 0, 0))
    label, size = _fit(number, bars_w + 2 * quiet, _pt(7), _pt(5))
    label_w = _text_mask(label, size, False).width
    _put(card, label, size, False, _INK, x0 + (bars_w - label_w) // 2, _px(48.4), align_right=False)
