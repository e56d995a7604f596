"""The wording of the promotions' explanation lines (docs/pricing.md, "Explanations"), from one catalogue.

An `ExplainLine` keeps codes and integers only; `explain_text()` words it in a language with the program's
names (a coupon's, a campaign's, a voucher's `name`), so the engine's English text, a receipt and a Hebrew UI
say the same thing. The classic codes (line, discount, earn, ...) are worded by the UI's own translations
(`ui/explain.py`), which hands the codes below to `explain_words()` with `ProgramLabels.promotions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pos_client.messages import Message, message
from pos_client.program.schema import Program

MEMBER_PRICE = message("explain.member_price", en="{name}: {pct}% of {base:money} = −{value:money}",
                       he="{name}: {pct}% מתוך {base:money} = −{value:money}")
COUPON = message("explain.coupon", en="Coupon {name}: −{value:money}", he="קופון {name}: −{value:money}")
COUPON_FREE = message("explain.coupon_free_item", en="Coupon {name}: 1 × {product} free (−{value:money})",
                      he="קופון {name}: 1 × {product} חינם (−{value:money})")
VOUCHER = message("explain.voucher", en="Voucher {name}: −{value:money} of its {face:money}",
                  he="שובר {name}: −{value:money} מתוך {face:money}")
VOUCHER_FREE = message("explain.voucher_free_item", en="Voucher {name}: 1 × {product} free (−{value:money})",
                       he="שובר {name}: 1 × {product} חינם (−{value:money})")
CAMPAIGN = message("explain.campaign", en="Campaign {name}: points × {multiplier} on {base:money}",
                   he="מבצע {name}: נקודות × {multiplier} על {base:money}")
CAMPAIGN_BONUS = message("explain.campaign_bonus", en="Campaign {name}: +{points} bonus points",
                         he="מבצע {name}: +{points} נקודות בונוס")
VOUCHER_ISSUED = message("explain.voucher_issued", en="{name}: {count} new voucher(s) for the member",
                         he="{name}: {count} שוברים חדשים לחבר")
POINTS_CONVERTED = message("explain.points_converted", en="{name}: {points} points turned into {count} voucher(s)",
                           he="{name}: {points} נקודות הומרו ל־{count} שוברים")

#: The message of each promotion explanation code, and the program section its `code` param names.
TEMPLATES: dict[str, tuple[Message, str]] = {
    "member_price": (MEMBER_PRICE, "member_prices"), "coupon": (COUPON, "coupons"),
    "coupon_free_item": (COUPON_FREE, "coupons"), "voucher": (VOUCHER, "vouchers"),
    "voucher_free_item": (VOUCHER_FREE, "vouchers"), "campaign": (CAMPAIGN, "campaigns"),
    "campaign_bonus": (CAMPAIGN_BONUS, "campaigns"), "voucher_issued": (VOUCHER_ISSUED, "vouchers"),
    "points_converted": (POINTS_CONVERTED, "vouchers"),
}


@dataclass(frozen=True)
class _Label:
    """A program name in the two languages the catalogue's formatter words (`{name}`)."""

    en: str
    he: str


#: Names by section and code, as `{"coupons": {"welcome": {"en": ..., "he": ...}}}` (`ProgramLabels.promotions`).
Names = Mapping[str, Mapping[str, Mapping[str, str]]]


def promotion_names(program: Program) -> dict[str, dict[str, dict[str, str]]]:
    """The program's promotion names in English and Hebrew, by section and code."""
    def names(items: list[Any]) -> dict[str, dict[str, str]]:
        return {item.code: {"en": item.name.text("en"), "he": item.name.text("he")} for item in items}
    return {section: names(getattr(program, section)) for section in ("member_prices", "coupons", "vouchers",
                                                                     "campaigns")}


def explain_words(code: str, params: Mapping[str, object], names: Names, currency: str, lang: str = "en",
                  product_names: Mapping[str, str] | None = None) -> str | None:
    """The promotion explanation `code` with `params` in `lang`, the promotion named from `names`; None for a
    code this module does not word (the caller's own wording, or the core's English text, applies)."""
    if code not in TEMPLATES:
        return None
    template, section = TEMPLATES[code]
    promo = str(params.get("code", ""))
    sku = str(params.get("sku", ""))
    found = names.get(section, {}).get(promo, {})
    values = dict(params)
    values.update(name=_Label(found.get("en") or promo, found.get("he") or found.get("en") or promo),
                  currency=currency, product=(product_names or {}).get(sku, str(params.get("product", sku))))
    return template.render(lang, **values)


def explain_text(code: str, params: Mapping[str, object], program: Program, lang: str = "en",
                 product_names: Mapping[str, str] | None = None) -> str | None:
    """`explain_words` with the names and currency of `program`."""
    return explain_words(code, params, promotion_names(program), program.currency, lang, product_names)
