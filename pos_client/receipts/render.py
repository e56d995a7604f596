"""Drawing the receipt's rows as an image: the thermal printer's raster and the PDF's page.

Why an image: an ESC/POS printer prints text left to right in its own code page, so Hebrew comes out reversed
and unshaped (and most printers have no Hebrew font at all). Drawn by Pillow with the DejaVu fonts Kupa ships
and reordered with the Unicode bidi algorithm (`pos_client.cards.render.render_text`, the same text drawing as
the member card), the receipt prints right whatever the printer knows; it is sent as a raster (GS v 0).

Widths are the printers' printable dots at 203 dpi: 576 for 80 mm paper, 384 for 58 mm. The PDF is drawn at
300 dpi on a page exactly 80 mm wide (945 dots) with 3 mm margins — the paper's full width, no page number —
and as long as the receipt. In Hebrew every row is mirrored: labels start at the right edge, amounts sit at
the left. The thermal image is pure black and white (thresholded here, so the printer library never dithers
the anti-aliased edges into grey dots).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageDraw

from pos_client.cards.render import render_text
from pos_client.receipts.document import Receipt, Row, receipt_rows

PaperWidth = Literal[80, 58]
PAPER_WIDTHS: tuple[PaperWidth, ...] = (80, 58)
PDF_DPI = 300
PDF_PAGE_MM = 80.0


@dataclass(frozen=True)
class Layout:
    """Sizes in dots for one paper: image width, side margin, font sizes, gaps."""

    width: int
    margin: int
    body: int
    small: int
    title: int
    gap: int  # between lines

    @property
    def content(self) -> int:
        return self.width - 2 * self.margin


THERMAL: dict[int, Layout] = {
    80: Layout(width=576, margin=8, body=24, small=20, title=34, gap=6),
    58: Layout(width=384, margin=6, body=20, small=17, title=28, gap=5),
}
PDF_LAYOUT = Layout(width=round(PDF_PAGE_MM / 25.4 * PDF_DPI), margin=round(3 / 25.4 * PDF_DPI), body=36, small=30,
                    title=50, gap=9)
_INK, _PAPER = 0, 255


def thermal_layout(paper: int) -> Layout:
    """The layout of an 80 mm or 58 mm roll (anything else is a bug: the settings refuse it)."""
    return THERMAL[paper]


def render_receipt(receipt: Receipt, lang: str, layout: Layout) -> Image.Image:
    """The receipt in `lang` as a grey-scale ("L") image `layout.width` wide, black ink on white."""
    return render_rows(receipt_rows(receipt, lang), lang, layout)


def text_image(lines: Sequence[str], lang: str, paper: int) -> Image.Image:
    """Plain report lines (a shift's X or Z report, `reports.shift_text`) for an ESC/POS raster, like a receipt:
    drawn by Kupa, so Hebrew prints right to left whatever the printer's fonts."""
    rows = [Row(kind="text", start=line) if line.strip() else Row(kind="space") for line in lines]
    return _black_and_white(render_rows(rows, lang, thermal_layout(paper)))


def render_rows(rows: Sequence[Row], lang: str, layout: Layout) -> Image.Image:
    """Laid-out rows as a grey-scale image `layout.width` wide (Hebrew mirrored)."""
    rtl = lang == "he"
    height = 2 * layout.margin + layout.gap + sum(_height(row, layout) for row in rows)
    page = Image.new("L", (layout.width, height), _PAPER)
    y = layout.margin + layout.gap
    for row in rows:
        _draw(page, row, layout, y, rtl)
        y += _height(row, layout)
    return page


def thermal_image(receipt: Receipt, lang: str, paper: int) -> Image.Image:
    """The receipt for an ESC/POS raster: pure black and white ("1"), 576 or 384 dots wide."""
    return _black_and_white(render_receipt(receipt, lang, thermal_layout(paper)))


def _black_and_white(grey: Image.Image) -> Image.Image:
    """Thresholded at half grey, never dithered (a dithered edge prints as a grey fringe of stray dots)."""
    return grey.point(lambda v: _PAPER if v >= 128 else _INK).convert("1", dither=Image.Dither.NONE)


def receipt_pdf(receipt: Receipt, lang: str) -> bytes:
    """The receipt as a one-page PDF, 80 mm wide and as long as the receipt, no page number."""
    image = _black_and_white(render_receipt(receipt, lang, PDF_LAYOUT))  # CCITT G4: crisp and a few KB
    out = io.BytesIO()
    image.save(out, "PDF", resolution=float(PDF_DPI), title="Receipt", producer="Kupa")
    return out.getvalue()


def _size(row: Row, layout: Layout) -> int:
    if row.kind == "title":
        return layout.title
    return layout.small if row.small else layout.body


def _height(row: Row, layout: Layout) -> int:
    if row.kind == "rule":
        return layout.body // 2 + layout.gap
    if row.kind == "space":
        return layout.body
    line = round(_size(row, layout) * 1.25) + layout.gap
    return line + 2 * layout.gap if row.kind == "banner" else line


def _fit(text: str, size: int, bold: bool, max_w: int) -> Image.Image:
    """`text` drawn at `size`, shrunk to 80% and then cut with an ellipsis so that it fits `max_w`."""
    mask = render_text(text, size, bold=bold)
    smaller = size
    while mask.width > max_w and smaller > size * 0.8:
        smaller -= 1
        mask = render_text(text, smaller, bold=bold)
    if mask.width <= max_w:
        return mask
    lo, hi, best = 0, len(text), render_text("…", smaller, bold=bold)
    while lo <= hi:  # the longest prefix (in reading order) that fits with its ellipsis
        mid = (lo + hi) // 2
        candidate = render_text(text[:mid].rstrip() + "…", smaller, bold=bold)
        if candidate.width <= max_w:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def _paste(page: Image.Image, mask: Image.Image, x: int, y: int, ink: int = _INK) -> None:
    page.paste(ink, (x, y, x + mask.width, y + mask.height), mask)


def _draw(page: Image.Image, row: Row, layout: Layout, y: int, rtl: bool) -> None:
    left, right = layout.margin, layout.width - layout.margin
    draw = ImageDraw.Draw(page)
    size = _size(row, layout)
    bold = row.bold or row.kind in ("title", "banner")
    if row.kind == "rule":
        mid = y + layout.body // 4
        for x in range(left, right, 12):  # dashes: a torn-off look, and less heat on the print head
            draw.rectangle((x, mid, min(x + 7, right - 1), mid + 1), fill=_INK)
        return
    if row.kind == "space":
        return
    if row.kind == "banner":
        box_h = round(size * 1.25) + 2 * layout.gap
        draw.rectangle((left, y, right - 1, y + box_h - 1), fill=_INK)
        mask = _fit(row.start, size, True, layout.content - 2 * layout.gap)
        _paste(page, mask, (layout.width - mask.width) // 2, y + layout.gap, _PAPER)
        return
    if row.kind in ("title", "center"):
        mask = _fit(row.start, size, bold, layout.content)
        _paste(page, mask, (layout.width - mask.width) // 2, y)
        return
    end_w = 0
    if row.kind == "pair" and row.end:
        end = _fit(row.end, size, bold, layout.content // 2)
        end_w = end.width + layout.body // 2
        _paste(page, end, left if rtl else right - end.width, y)
    start = _fit(row.start, size, bold, layout.content - end_w)
    _paste(page, start, right - start.width if rtl else left, y)
