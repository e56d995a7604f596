"""The bounds of a `program.json`, defined once: the terminal's `kupa program load`, HQ's `program publish`,
HQ's push validation and the sync protocol all read them from here.

Why these numbers. Each is far beyond any real loyalty program and small enough that nothing a program can
say overflows a 64-bit SQLite integer (±9.22 × 10¹⁸) or leaves the sync protocol's ranges:

- A sale's subtotal is at most `pos_client.pricing.model.MAX_SALE_SUBTOTAL` = 10¹⁰ minor units (₪100
  million). Points earned ≤ subtotal × `earn.points` / `earn.per` × multiplier ≤ 10¹⁰ × 1,000 × 100 = 10¹⁵:
  an earn entry is at most 10¹⁵ points, a balance could add 9,000 such sales before it nears SQLite's limit.
- Grants (welcome, birthday, referral, an action, a plan's monthly credit) are at most 10⁷ points each.
- Money thresholds (`min_spend`) are at most 10¹² minor units; a redemption block is worth at most 10⁶.
- Percentages are 0–100 and multipliers 1–100, written with at most 40 digits (pricing multiplies with exact
  fractions, so a long rate costs nothing in exactness).
- Days are at most 10 years (windows, plans) or 100 years (expiry).
- The document: at most `MAX_PROGRAM_BYTES` (100,000 bytes of UTF-8, ≈ 50 times a rich real program; the
  demo store's is 2 KB) and JSON nesting at most `MAX_PROGRAM_DEPTH` deep (the schema itself needs 4). Its
  canonical form, which HQ stores and sends in a pull (`sync.protocol.WireProgram.document`), is at most
  `MAX_DOCUMENT_CHARS` = 200,000 characters — the terminal's wire limit — so a program HQ accepts is one
  every terminal can pull. A bigger file is refused before it is parsed.
- Lists are bounded (`MAX_TIERS`...), so a document within the size limit is also cheap to price with.
"""

from __future__ import annotations

#: The largest program version number (a version a day for 2.7 million years).
MAX_VERSION = 1_000_000_000
#: Points a sale earns per `earn.per` minor units.
MAX_EARN_POINTS = 1_000
#: The spend that earns `earn.points` (minor units; ₪1,000,000 in agorot).
MAX_EARN_PER = 100_000_000
#: Points in one redemption block, and the block's value in minor units.
MAX_REDEEM_POINTS = 1_000_000
MAX_REDEEM_VALUE = 1_000_000
#: `redeem.min_points`, `redeem.offline_daily_cap_points`.
MAX_REDEEM_THRESHOLD = 1_000_000_000
#: One grant of points (welcome, birthday, referral, an action, a monthly credit).
MAX_GRANT_POINTS = 10_000_000
#: A tier threshold in minor units (₪10 billion).
MAX_SPEND = 1_000_000_000_000
#: The largest earn multiplier (the smallest is 1) and the largest percentage.
MAX_MULTIPLIER = 100
MAX_PERCENT = 100
#: Digits in a percentage or a multiplier (pricing computes with exact fractions, so 1.333… written to 33
#: digits prices exactly; 40 digits is the bound on how long such a number may be written).
MAX_RATE_DIGITS = 40
#: Stamps to fill a punch card.
MAX_STAMPS_NEEDED = 1_000
#: Days: a tier window or a plan period (10 years), points expiry (100 years).
MAX_WINDOW_DAYS = 3_660
MAX_EXPIRY_DAYS = 36_600
#: List lengths.
MAX_TIERS = 20
MAX_BONUS_DAYS = 50
MAX_PUNCH_CARDS = 100
MAX_MEMBERSHIPS = 50
MAX_CHARITIES = 100
MAX_ACTIONS = 500
MAX_CARD_SKUS = 1_000
MAX_CATEGORIES = 200
#: Items in one promotion section (member prices, coupons, vouchers, campaigns, segments, offers).
MAX_PROMOTIONS = 200
#: A coupon's use limits, a segment's visit count.
MAX_PROMOTION_USES = 100_000_000
#: Languages a name may be given in besides English.
MAX_NAME_LANGUAGES = 10
#: A name in one language, a category, a time-zone name.
MAX_NAME_CHARS = 80
MAX_CATEGORY_CHARS = 40
MAX_ZONE_CHARS = 64
#: The file as read (UTF-8 bytes), its nesting, and its canonical stored form (characters).
MAX_PROGRAM_BYTES = 100_000
MAX_PROGRAM_DEPTH = 8
MAX_DOCUMENT_CHARS = 200_000
#: The points one ledger entry may carry either way: a sale that would earn more is refused at the counter
#: (`pricing.engine`), and HQ refuses a pushed entry beyond it (`sync.hq.validate`). A lifetime of a very good
#: member is far below; the program's own bounds alone would allow 10^15 on the largest sale.
MAX_ENTRY_POINTS = 100_000_000
