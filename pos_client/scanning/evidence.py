"""The rules that turn every plausible read of a frame (or of a still scene) into accepted codes.

A wrong payload is worse than a miss (a wrong card number credits a stranger's card), so nothing a decoder
reports is believed on its own except a QR code. The rules, measured on the tuning set (docs/scanning.md):

- every read must pass `payload.is_plausible` (EAN-13 check digit, Code 128 printable ASCII, text without
  control characters);
- **QR**: one read, by either library. Reed-Solomon error correction makes a misread decode to garbage, which
  the libraries drop, never to another valid text;
- **two libraries**: a 1D payload read identically by zxing-cpp *and* ZBar is accepted (their decoders share
  no code: a misread both make alike would need the same wrong bars seen by two different algorithms);
- **one library, many enhancements** (the vote): a 1D payload read by one library only is accepted when it
  was read on at least `VOTES[symbology]` independent *families* of image (the plain picture, a threshold, a
  glare-flattened copy, a deblurred one...), and **no rival** (another payload of the same symbology read at
  an overlapping place, by any library on any image) exists. Code 128 needs 2 families (its mod-103 check
  and fixed-width symbols let very few misreads through); EAN-13 needs 3 (its one check digit lets about one
  substitution in ten through, and zxing-cpp was once seen misreading the same blurred EAN-13 identically
  on two enhancements: never on three). Variants of one picture that differ only in scale or rotation
  (zxing-cpp's own pyramid and rotations, ZBar's rows and columns) are one family: they can err alike;
- **rivals raise the bar**: when two payloads of one symbology were read at the same place, one is accepted
  only if both libraries read it and it has at least two more supporting reads than its best rival.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pos_client.scanning.enhance import View
from pos_client.scanning.payload import is_plausible
from pos_client.scanning.readers import Library, RawRead
from pos_client.scanning.result import Decoded, Point, Symbology

log = logging.getLogger(__name__)

#: Independent image families one library must read a 1D payload on, when the other library did not read it.
VOTES: dict[Symbology, int] = {"code128": 2, "ean13": 3}
Key = tuple[Symbology, str]


@dataclass(slots=True)
class Support:
    """Who read one payload: the (family, library) views, and the families per library."""

    views: set[str] = field(default_factory=set)
    families: dict[Library, set[str]] = field(default_factory=dict)
    quad: tuple[Point, ...] = ()

    @property
    def libraries(self) -> set[Library]:
        return set(self.families)


@dataclass(slots=True)
class Evidence:
    """Every plausible read of one frame (or one still scene), and the rules that turn them into codes."""

    reads: dict[Key, Support] = field(default_factory=dict)

    def add(self, reads: list[RawRead], family: str, view: View) -> None:
        """Record `reads` made on `view` (an image of `family`); implausible ones are dropped here."""
        for read in reads:
            if not is_plausible(read.symbology, read.payload):
                log.debug("implausible %s read dropped (%s/%s)", read.symbology, family, read.library)
                continue
            support = self.reads.setdefault((read.symbology, read.payload), Support())
            support.views.add(f"{family}/{read.library}")
            support.families.setdefault(read.library, set()).add(family)
            if not support.quad:
                support.quad = view.to_frame(read.points)

    def pending(self) -> list[tuple[Key, Support]]:
        """1D payloads read but not accepted yet (the other library should be asked)."""
        return [(key, s) for key, s in self.reads.items() if key[0] != "qr" and not self.confirmed(key, s)]

    def accepted(self) -> list[Decoded]:
        """The codes the rules accept, every distinct one (two codes in view give two)."""
        return [Decoded(key[0], key[1], s.quad) for key, s in self.reads.items() if self.confirmed(key, s)]

    def confirmed(self, key: Key, support: Support) -> bool:
        symbology, payload = key
        if symbology == "qr":
            return True
        rivals = [
            len(other.views)
            for (sym, pay), other in self.reads.items()
            if sym == symbology and pay != payload and overlap(support.quad, other.quad)
        ]
        if rivals:
            return len(support.libraries) == 2 and len(support.views) >= max(rivals) + 2
        if len(support.libraries) == 2:
            return True
        return max(len(families) for families in support.families.values()) >= VOTES[symbology]


def overlap(a: tuple[Point, ...], b: tuple[Point, ...]) -> bool:
    """Whether two quads' bounding boxes intersect (unknown corners count as overlapping)."""
    if not a or not b:
        return True
    ax, ay = zip(*a, strict=True)
    bx, by = zip(*b, strict=True)
    return bool(min(ax) <= max(bx) and min(bx) <= max(ax) and min(ay) <= max(by) and min(by) <= max(ay))
