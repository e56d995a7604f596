"""The field types and the strict base every section of `program.json` is built from (`schema`,
`promotions`): one definition of what a code, a SKU, a percentage or a localized name may be."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, model_validator

from pos_client.program import limits as L

NonNegInt = Annotated[StrictInt, Field(ge=0, le=L.MAX_GRANT_POINTS)]
PosInt = Annotated[StrictInt, Field(gt=0, le=L.MAX_GRANT_POINTS)]
VersionNumber = Annotated[StrictInt, Field(gt=0, le=L.MAX_VERSION)]
EarnPoints = Annotated[StrictInt, Field(gt=0, le=L.MAX_EARN_POINTS)]
EarnPer = Annotated[StrictInt, Field(gt=0, le=L.MAX_EARN_PER)]
RedeemPoints = Annotated[StrictInt, Field(gt=0, le=L.MAX_REDEEM_POINTS)]
RedeemValue = Annotated[StrictInt, Field(gt=0, le=L.MAX_REDEEM_VALUE)]
Threshold = Annotated[StrictInt, Field(ge=0, le=L.MAX_REDEEM_THRESHOLD)]
Spend = Annotated[StrictInt, Field(ge=0, le=L.MAX_SPEND)]
StampsNeeded = Annotated[StrictInt, Field(ge=1, le=L.MAX_STAMPS_NEEDED)]
WindowDays = Annotated[StrictInt, Field(ge=1, le=L.MAX_WINDOW_DAYS)]
ExpiryDays = Annotated[StrictInt, Field(ge=1, le=L.MAX_EXPIRY_DAYS)]


def _rate_digits(value: Decimal) -> Decimal:
    """A rate written with at most `MAX_RATE_DIGITS` digits (pydantic's `max_digits` stops counting at 28)."""
    sign, digits, exponent = value.as_tuple()
    if isinstance(exponent, int):
        written = len(digits) + exponent if exponent > 0 else max(len(digits), -exponent)
        if written > L.MAX_RATE_DIGITS:
            raise ValueError(f"must be written with at most {L.MAX_RATE_DIGITS} digits")
    return value


Percent = Annotated[Decimal, Field(ge=0, le=L.MAX_PERCENT, allow_inf_nan=False), AfterValidator(_rate_digits)]
Multiplier = Annotated[Decimal, Field(ge=1, le=L.MAX_MULTIPLIER, allow_inf_nan=False), AfterValidator(_rate_digits)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-.]+$")]
Category = Annotated[str, Field(min_length=1, max_length=L.MAX_CATEGORY_CHARS)]
Name = Annotated[str, Field(min_length=1, max_length=L.MAX_NAME_CHARS)]


class StrictModel(BaseModel):
    """Every section refuses unknown keys (a typo in a rules file is caught at load time) and is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class LocalizedName(StrictModel):
    """A name in several languages; English is required, Hebrew is the other one the app ships."""

    model_config = ConfigDict(extra="allow", frozen=True)
    en: Name
    he: Name | None = None

    @model_validator(mode="after")
    def _other_languages_are_short_names(self) -> LocalizedName:
        extra = self.model_extra or {}
        if len(extra) > L.MAX_NAME_LANGUAGES:
            raise ValueError(f"at most {L.MAX_NAME_LANGUAGES} languages besides English and Hebrew")
        for lang, value in extra.items():
            if not (0 < len(lang) <= 8 and lang.isascii() and lang.isalpha()):
                raise ValueError(f"{lang[:20]!r} is not a language code")
            if not isinstance(value, str) or not 0 < len(value) <= L.MAX_NAME_CHARS:
                raise ValueError(f"{lang}: must be a name of 1 to {L.MAX_NAME_CHARS} characters")
        return self

    def text(self, lang: str) -> str:
        """The name in `lang`, falling back to English."""
        value = getattr(self, lang, None) if lang != "en" else self.en
        return value if isinstance(value, str) and value else self.en
