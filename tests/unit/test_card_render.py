"""The printable member card: real renders, decoded back with zbar, measured, and checked for right-to-left text."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, features
from pyzbar.pyzbar import ZBarSymbol, decode

from pos_client.cards import render
from pos_client.cards.render import (
    CARD_SIZE_PX,
    FONT_DIR,
    CardFace,
    card_filename_format,
    render_card,
    render_text,
)

TOKEN = (
    "KUPA1.jTEFyUfM.M620020.11.20261109.uMvw9M2PrhmoBdhmbtgpI5PL5-Uo5C4hc1U0d7sug7AvCjVg_qAsr00MRVTODqUM-"
    "GezyJtGw_ZVCBvsElwxpw"
)
ENGLISH = CardFace("Kupa Café", "Dana Cohen", "M620020", "Gold", TOKEN, "PC61511484", date(2026, 11, 9), "Issued")
HEBREW = CardFace("קפה כוס", "דנה כהן", "M620020", "זהב", TOKEN, "PC61511484", date(2026, 11, 9), "הונפק")
HAVE_RAQM = bool(features.check("raqm") and features.check("fribidi"))


def _png(face: CardFace) -> Image.Image:
    return Image.open(io.BytesIO(render_card(face, "png")))


def _codes(image: Image.Image) -> dict[str, bytes]:
    found = decode(image, symbols=[ZBarSymbol.QRCODE, ZBarSymbol.CODE128])
    return {symbol.type: symbol.data for symbol in found}


def _ink_diff_box(face: CardFace, other: CardFace) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """The card for `face` and the box where it differs from the card for `other` (e.g. with no name)."""
    image = _png(face).convert("L")
    box = ImageChops.difference(image, _png(other).convert("L")).getbbox()
    assert box is not None, "the two cards are identical"
    return image, box


def _normalised_ink(mask: Image.Image, *, on_paper: bool = False) -> Image.Image:
    """The inked part of a line (ink = 255, or ink dark `on_paper`), scaled to a fixed size, ink = 255."""
    if on_paper:
        mask = ImageChops.invert(mask)
    box = mask.getbbox()
    assert box is not None, "nothing was drawn"
    return mask.crop(box).resize((600, 100), Image.Resampling.BILINEAR)


def _mean_diff(a: Image.Image, b: Image.Image) -> float:
    histogram = ImageChops.difference(a, b).histogram()
    return sum(value * count for value, count in enumerate(histogram)) / (a.width * a.height)


def _basic_line(text: str, size: int = 120) -> Image.Image:
    """`text` drawn glyph after glyph from left to right, with no bidi at all: the test's own reference."""
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), size, layout_engine=ImageFont.Layout.BASIC)
    mask = Image.new("L", (int(font.getlength(text)) + 40, size * 2), 0)
    ImageDraw.Draw(mask).text((20, size // 2), text, font=font, fill=255)
    return mask


@pytest.mark.parametrize("face", [ENGLISH, HEBREW], ids=["english", "hebrew"])
def test_png_codes_decode_to_the_token_and_card_number(face: CardFace) -> None:
    codes = _codes(_png(face))
    assert codes["QRCODE"] == TOKEN.encode("ascii")
    assert codes["CODE128"] == b"PC61511484"


def test_png_is_id1_size_at_600_dpi() -> None:
    image = _png(ENGLISH)
    assert abs(image.width - 85.60 / 25.4 * 600) <= 2
    assert abs(image.height - 53.98 / 25.4 * 600) <= 2
    assert image.size == CARD_SIZE_PX
    assert image.info["dpi"] == pytest.approx((600, 600), abs=0.01)


def test_qr_code_is_big_enough_to_scan_from_a_photo() -> None:
    (qr,) = decode(_png(ENGLISH), symbols=[ZBarSymbol.QRCODE])
    assert qr.rect.width / 600 * 25.4 >= 22.0


def test_pdf_is_one_id1_page_whose_image_still_decodes() -> None:
    pdf = render_card(ENGLISH, "pdf")
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1
    assert float(boxes[0][0]) == pytest.approx(85.60 / 25.4 * 72, abs=0.3)  # 242.6 pt
    assert float(boxes[0][1]) == pytest.approx(53.98 / 25.4 * 72, abs=0.3)  # 153.0 pt
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    jpeg = pdf[pdf.index(b"\xff\xd8\xff") : pdf.rindex(b"\xff\xd9") + 2]
    assert _codes(Image.open(io.BytesIO(jpeg)))["QRCODE"] == TOKEN.encode("ascii")


@pytest.mark.parametrize("engine", ["raqm", "python-bidi"])
@pytest.mark.parametrize(
    ("logical", "visual"),
    [("דנה כהן", "ןהכ הנד"), ("דנה Cohen", "Cohen הנד")],
    ids=["hebrew", "mixed"],
)
def test_hebrew_line_is_drawn_right_to_left(
    engine: str, logical: str, visual: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine == "raqm" and not HAVE_RAQM:
        pytest.skip("Pillow here has no libraqm with FriBiDi")
    if engine == "python-bidi":
        pytest.importorskip("bidi")
        monkeypatch.setattr(render, "USE_RAQM", False)
    drawn = _normalised_ink(render_text(logical, 120, bold=True))
    right_to_left = _mean_diff(drawn, _normalised_ink(_basic_line(visual)))
    backwards = _mean_diff(drawn, _normalised_ink(_basic_line(logical)))
    assert right_to_left < 6, "the line does not match the hand-reordered reference"
    assert backwards > 4 * right_to_left, "the Hebrew was drawn in logical (backwards) order"


def test_hebrew_card_prints_the_name_right_aligned_and_in_visual_order() -> None:
    card, box = _ink_diff_box(HEBREW, replace(HEBREW, member_name=""))
    name = card.crop(box)
    darkest, _ = name.getextrema()
    assert isinstance(darkest, int) and darkest < 64, "the name region is blank"
    width = CARD_SIZE_PX[0]
    assert box[2] > width - 4.5 / 25.4 * 600, "a Hebrew name is right-aligned against the card's right margin"
    (qr,) = decode(card, symbols=[ZBarSymbol.QRCODE])
    assert qr.rect.left < width / 2, "a right-to-left card is mirrored: its QR code on the left"
    drawn = _normalised_ink(name, on_paper=True)
    right_to_left = _mean_diff(drawn, _normalised_ink(_basic_line("ןהכ הנד")))
    backwards = _mean_diff(drawn, _normalised_ink(_basic_line("דנה כהן")))
    assert backwards > 4 * right_to_left


@pytest.mark.parametrize(
    ("name", "tier"),  # the tier sets the direction of the name-less card compared against
    [
        ("Maximiliana Alexandra Konstantinopoulou-Papadimitriou " * 8, "Platinum Plus Elite Founders Circle"),
        ("אלכסנדרה " * 40 + "Cohen", "פלטינום פלוס עילית מועדון המייסדים"),
        ("W" * 400, "W" * 100),
    ],
    ids=["latin", "hebrew", "no-spaces"],
)
def test_absurdly_long_names_are_fitted_and_the_card_still_scans(name: str, tier: str) -> None:
    face = replace(ENGLISH, member_name=name, tier_name=tier)
    card, box = _ink_diff_box(face, replace(face, member_name=""))
    (qr,) = decode(card, symbols=[ZBarSymbol.QRCODE])
    assert qr.data == TOKEN.encode("ascii")
    margin, width = 3.5 / 25.4 * 600, CARD_SIZE_PX[0]
    if qr.rect.left > width / 2:  # left-to-right card: the name column ends before the QR code
        assert box[0] >= margin and box[2] <= qr.rect.left, "the name overflows its column"
    else:
        assert box[0] >= qr.rect.left + qr.rect.width and box[2] <= width - margin, "the name overflows"
    assert _codes(card)["CODE128"] == b"PC61511484"


def test_bidi_override_characters_in_a_name_are_not_obeyed() -> None:
    spoofed = replace(ENGLISH, member_name="\u202eDana Cohen")
    assert _png(spoofed).tobytes() == _png(ENGLISH).tobytes()


def test_missing_font_falls_back_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(render, "FONT_DIR", tmp_path)
    with caplog.at_level(logging.WARNING, logger="pos_client.cards.render"):
        codes = _codes(_png(ENGLISH))
    assert codes["QRCODE"] == TOKEN.encode("ascii")
    assert any("missing" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("path", "fmt"), [("card.png", "png"), ("out/M620020.PDF", "pdf"), (Path("/tmp/x.Png"), "png")]
)
def test_card_filename_format_follows_the_extension(path: str | Path, fmt: str) -> None:
    assert card_filename_format(path) == fmt


@pytest.mark.parametrize("path", ["card.jpg", "card", "card.png.txt", ".pdf"])
def test_card_filename_format_refuses_other_extensions(path: str) -> None:
    with pytest.raises(ValueError, match=r"\.png or \.pdf"):
        card_filename_format(path)


def test_unknown_format_and_bad_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        render_card(ENGLISH, "gif")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="card number"):
        replace(ENGLISH, card_number="")
    with pytest.raises(ValueError, match="token"):
        replace(ENGLISH, token="KUPA1.\nx")
