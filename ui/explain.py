"""The quote's explanation and the redemption limits, worded in the UI's language from the core's data.

The core explains a quote with `ExplainLine(code, params, text)` items and says which rule limits a
redemption with `RedeemLimits.rule`; this module turns the codes and values into translated sentences, with
product names from the cart (Hebrew names in Hebrew) and tier, punch-card and plan names from the program's
labels. An unknown code falls back to the core's English sentence. Nothing here computes a price: every
number comes from the quote or the program.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication, QLocale

from pos_client.messages import current_language
from pos_client.money import format_money
from pos_client.pricing import engine
from pos_client.pricing.explain import explain_words
from pos_client.pricing.model import ExplainLine, Quote, RedeemLimits
from pos_client.services.till import ProgramLabels

CONTEXT = "Explain"


def _t(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


_app_t = _t


def _name(section: Mapping[str, Mapping[str, str]], code: object, lang: str) -> str:
    names = section.get(str(code), {})
    return names.get(lang) or names.get("en") or str(code)


def _number(value: object) -> str:
    """A Decimal-ish value without trailing zeros (`"2.0"` → `2`, `"1.50"` → `1.5`)."""
    try:
        number = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    return f"{number:f}"


def multiplier_source(source: str, labels: ProgramLabels, lang: str, translate: Translate | None = None) -> str:
    """The core's multiplier source (`"Gold tier"`, `"Kupa Plus membership"`, `"bonus Monday"`) in `lang`."""
    _t = translate or _app_t
    for code, names in labels.tiers.items():
        if source == f"{names.get('en')} tier":
            return _t("{0} tier").format(_name(labels.tiers, code, lang))
    for code, names in labels.memberships.items():
        if source == f"{names.get('en')} membership":
            return _t("{0} membership").format(_name(labels.memberships, code, lang))
    if source.startswith("bonus "):
        english = QLocale(QLocale.Language.English)
        for day in range(1, 8):
            if english.dayName(day) == source[6:]:
                locale = QLocale(QLocale.Language.Hebrew if lang == "he" else QLocale.Language.English)
                return _t("bonus day ({0})").format(locale.dayName(day))
    return source


Translate = Callable[[str], str]


def explain_line(line: ExplainLine, quote: Quote, labels: ProgramLabels, names: Mapping[str, str],
                 lang: str, translate: Translate | None = None) -> str:
    """One explanation step in `lang`; `names` maps SKUs to product names in `lang`.

    `translate` words the sentences (default: the app's installed translator). The customer display passes
    its own, since the customer may read another language than the cashier (`ui.customer_display`).
    """
    p = line.params
    _t = translate or _app_t

    def money(key: str) -> str:
        return format_money(int(str(p.get(key) or 0)), quote.currency, lang)

    product = names.get(str(p.get("sku")), str(p.get("sku", "")))
    code = line.code
    if code == "line":
        text = _t("{0} × {1} @ {2} = {3}").format(p.get("qty"), product, money("unit_price"), money("amount"))
        kind = p.get("kind")
        if kind == "excluded":
            text += " " + _t("(excluded from the program)")
        elif kind == "membership":
            text += " " + _t("(membership fee)")
        return text
    if code == "punch_reward":
        return _t("{0} reward: 1 × {1} free (−{2}), {3} stamps spent").format(
            _name(labels.punch_cards, p.get("card"), lang), product, money("value"), p.get("stamps"))
    if code == "discount":
        sources = []
        if p.get("tier"):
            sources.append(_t("{0} tier").format(_name(labels.tiers, p["tier"], lang)))
        if p.get("plan"):
            sources.append(_t("{0} membership").format(_name(labels.memberships, p["plan"], lang)))
        return _t("{0} discount {1}% of {2} = −{3}").format(" + ".join(sources) or _t("Member"),
                                                             _number(p.get("pct")), money("base"), money("value"))
    if code == "redeem":
        return _t("Redeemed {0} points = −{1}").format(p.get("points"), money("value"))
    if code == "total":
        return _t("Total to pay {0}").format(money("value"))
    if code == "earn":
        rate = (_t("1 point per {0}").format(money("per")) if str(p.get("points_per")) == "1"
                else _t("{0} points per {1}").format(p.get("points_per"), money("per")))
        text = _t("Points earned: {0} paid on eligible items at {1}").format(money("base"), rate)
        if _number(p.get("multiplier", 1)) != "1":
            text += " × {0} ({1})".format(_number(p.get("multiplier")),
                                          multiplier_source(str(p.get("source", "")), labels, lang, _t))
        return f"{text} = {p.get('points')}"
    if code == "stamps":
        return _t("{0}: +{1} stamps").format(_name(labels.punch_cards, p.get("card"), lang), p.get("stamps"))
    if code == "membership":
        return _t("{0}: membership +{1} days").format(_name(labels.memberships, p.get("plan"), lang), p.get("days"))
    if code == "birthday":
        return _t("Happy birthday: +{0} points").format(p.get("points"))
    if code == "monthly_credit":
        return _t("{0}: monthly credit +{1} points").format(_name(labels.memberships, p.get("plan"), lang),
                                                            p.get("points"))
    if code == "referral":
        return _t("First purchase of a referred member: +{0} points").format(p.get("points"))
    if code == "balance_after":
        return _t("Points balance after this sale: {0}").format(p.get("points"))
    # promotions: worded from the core's catalogue (English and Hebrew) with the program's names
    return explain_words(code, p, labels.promotions, quote.currency, lang, names) or line.text


def explain_quote(quote: Quote, labels: ProgramLabels, names: Mapping[str, str], lang: str,
                  translate: Translate | None = None) -> list[str]:
    """The whole explanation in `lang` (the core's English lines when the quote carries no codes)."""
    if not quote.explanations:
        return list(quote.explain)
    return [explain_line(line, quote, labels, names, lang, translate) for line in quote.explanations]


def limit_reason(limits: RedeemLimits, labels: ProgramLabels, member_points: int | None) -> str:
    """Why `limits.max_points` is what it is, from `limits.rule` and the program's numbers."""
    redeem = labels.redeem
    rule = limits.rule
    lang = current_language()  # the same words as the engine's refusals: its catalogue messages
    if rule == "balance":
        if member_points is None:
            return _t("the member's balance")
        return engine.LIMIT_BALANCE.render(lang, points=member_points)
    if rule == "share":
        return engine.LIMIT_SHARE.render(lang, pct=redeem.get("max_share_pct", 100))
    if rule == "offline_cap":
        return engine.LIMIT_OFFLINE.render(lang, points=redeem.get("offline_daily_cap_points", 0))
    if rule == "no_member":
        return engine.REDEEM_NO_MEMBER.render(lang)
    if rule == "no_redemption":
        return engine.REDEEM_NO_PROGRAM.render(lang)
    return limits.reason


def smallest_redemption(labels: ProgramLabels) -> int:
    """The smallest redemption the program allows (0 when it has none)."""
    redeem = labels.redeem
    return max(redeem.get("min_points", 0), redeem.get("step", 0)) if redeem else 0
