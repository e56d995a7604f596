"""Why HQ refuses a pushed item: one stable reason code per rule, its parameters, and its words (en, he).

HQ answers every refused item with `code` and `params` (`sync.protocol.ItemResult`) beside an English
`reason`; the terminal renders the code in its reader's language from this catalogue (`kupa sync` prints each
refused item), so nobody ever matches the English text. Both sides import this module: the codes are the
protocol's, the rules that raise them live in `sync.hq.validate` (and `sync.hq.push` for identity ones).
docs/sync.md lists every code with what triggers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pos_client.messages import Message, message

INVALID = message("sync.invalid", en="invalid {where}: {problem}", he="{where} לא תקין: {problem}")
CONFLICT = message("sync.conflict", en="{what} {key} was already recorded with a different body",
                   he="{what} {key} כבר נרשם עם תוכן אחר")
FOREIGN_TERMINAL = message("sync.foreign_terminal",
                           en="{what} {key} belongs to terminal {owner}; a terminal pushes only its own",
                           he="{what} {key} שייך לקופה {owner}; קופה שולחת רק את שלה")
MEMBER_UNKNOWN = message("sync.member_unknown", en="{what} {key} is for member {member_id}, unknown at HQ",
                         he="{what} {key} שייך לחבר {member_id}, שאינו מוכר במטה")
# A restored terminal numbering again from its backup (docs/sync.md, "Restored terminals"). Their English
# words start with the code's own token: the terminal keeps HQ's English reason on the refused outbox row, and
# finds its held members by it (`sync.apply.reused_member_ids`).
SEQ_REUSED = message("sync.seq_reused",
                     en="seq_reused: entry {key} re-uses sequence number {seq} of terminal {terminal_id}, already "
                        "entry {taken} at HQ",
                     he="seq_reused: הרשומה {key} משתמשת שוב במספר הרצף {seq} של הקופה {terminal_id}, שכבר שייך "
                        "לרשומה {taken} במטה")
MEMBER_ID_REUSED = message("sync.member_id_reused_at_hq",
                           en="member_id_reused: member id {member_id} was enrolled at {enrolled_at}; this enrolment "
                              "of {this} re-uses it",
                           he="member_id_reused: מספר החבר {member_id} נרשם ב-{enrolled_at}; ההרשמה הזו מ-{this} "
                              "משתמשת בו שוב")
REUSED_MEMBER_ITEM = message("sync.reused_member_item",
                             en="member_id_reused: {what} {key} is for the refused enrolment of {member_id}",
                             he="member_id_reused: {what} {key} שייך להרשמה שנדחתה של {member_id}")
PROMO_UNKNOWN = message("sync.promo_unknown", en="a {kind} entry names {ref}, which HQ never saw issued to {member_id}",
                        he="רשומת {kind} מציינת את {ref}, שהמטה לא ראה שהונפק ל־{member_id}")
PROMO_USED = message("sync.promo_used", en="{ref} was already used (entry {used})",
                     he="{ref} כבר מומש (רשומה {used})")
PROMO_REISSUED = message("sync.promo_reissued", en="{ref} was already issued (entry {issued})",
                         he="{ref} כבר הונפק (רשומה {issued})")
PROMO_EXPIRED = message("sync.promo_expired", en="{ref} was used on {day}, after its last valid day {until}",
                        he="{ref} מומש ב־{day}, אחרי יום התוקף האחרון שלו {until}")
PROMO_NOT_USED = message("sync.promo_not_used", en="a return of {ref} names use {reverses}, which is not its use",
                         he="החזרה של {ref} מציינת את השימוש {reverses}, שאינו השימוש בו")
COUPON_CHAIN_LIMIT = message("sync.coupon_chain_limit",
                             en="promo code {code} was used {uses} times chain-wide: its limit is {limit}",
                             he="קוד המבצע {code} נוצל {uses} פעמים ברשת: המגבלה היא {limit}")
COUPON_MEMBER_LIMIT = message("sync.coupon_member_limit",
                              en="promo code {code} was used {uses} times by {member_id}: the limit is {limit}",
                              he="קוד המבצע {code} נוצל {uses} פעמים על ידי {member_id}: המגבלה היא {limit}")
TIME_FUTURE = message("sync.time_future",
                      en="{field} {value} is later than HQ's clock allows (at most {limit})",
                      he="{field} {value} מאוחר ממה ששעון המטה מתיר (לכל היותר {limit})")
TIME_TOO_OLD = message("sync.time_too_old", en="{field} {value} is earlier than {limit}",
                       he="{field} {value} מוקדם מ-{limit}")
SIGN = message("sync.sign", en="a {kind} entry must have {field} {rule} (got {value})",
               he="ברשומת {kind} השדה {field} חייב להיות {rule} (התקבל {value})")
TOO_LARGE = message("sync.too_large", en="{field} {value} is beyond the bound {limit}",
                    he="{field} {value} חורג מהגבול {limit}")
PROGRAM_UNKNOWN = message("sync.program_unknown",
                          en="a {kind} entry names program version {version}, which HQ never published",
                          he="רשומת {kind} מציינת גרסת תוכנית {version} שהמטה לא פרסם")
PROGRAM_AMOUNT = message("sync.program_amount",
                         en="a {kind} entry of {points} points; program version {version} grants {expected}",
                         he="רשומת {kind} של {points} נקודות; גרסת התוכנית {version} מעניקה {expected}")
NOT_IN_PROGRAM = message("sync.not_in_program", en="{what} '{code}' is not in program version {version}",
                         he="{what} '{code}' אינו בגרסת התוכנית {version}")
EARN_TOO_LARGE = message("sync.earn_too_large",
                         en="earn of {points} points on {spend} paid; program version {version} allows at most"
                            " {limit}",
                         he="צבירה של {points} נקודות על תשלום של {spend}; גרסת התוכנית {version} מתירה לכל"
                            " היותר {limit}")
SALE_UNKNOWN = message("sync.sale_unknown", en="entry {key} belongs to sale {sale_id}, which HQ does not have"
                                               " from this terminal",
                       he="הרשומה {key} שייכת למכירה {sale_id}, שאינה במטה מקופה זו")
SALE_MISMATCH = message("sync.sale_mismatch", en="entry {key} does not match its sale {sale_id} ({problem})",
                        he="הרשומה {key} אינה תואמת את המכירה {sale_id} ({problem})")
SALE_TOTALS = message("sync.sale_totals",
                      en="sale {key}: total {total} is not subtotal {subtotal} minus discounts {discount} minus"
                         " points {redeemed}",
                      he="מכירה {key}: הסכום {total} אינו סכום הביניים {subtotal} פחות הנחות {discount} פחות"
                         " נקודות {redeemed}")
TENDERS = message("sync.sale_tenders", en="sale {key}: tenders do not add up ({problem})",
                  he="מכירה {key}: אמצעי התשלום אינם מסתכמים ({problem})")
STAMPS_NEGATIVE = message("sync.stamps_negative",
                          en="member {member_id} holds {balance} '{card}' stamps at HQ; {delta} would go below zero",
                          he="לחבר {member_id} יש {balance} חותמות '{card}' במטה; {delta} יוריד אותן מתחת לאפס")
MEMBER_RANGE = message("sync.member_range",
                       en="member id {member_id} is not in this terminal's range (M{prefix}…)",
                       he="מספר החבר {member_id} אינו בטווח של קופה זו (M{prefix}…)")
MEMBER_OWNER = message("sync.member_owner", en="member id {member_id} already belongs to terminal {owner}",
                       he="מספר החבר {member_id} כבר שייך לקופה {owner}")
MEMBER_FIELD = message("sync.member_field", en="member {member_id}: {field} '{value}' is not valid ({problem})",
                       he="חבר {member_id}: {field} '{value}' אינו תקין ({problem})")
CARD_TAKEN = message("sync.card_taken", en="card number {card} already belongs to {owner}",
                     he="מספר הכרטיס {card} כבר שייך ל-{owner}")
CARD_OWNER = message("sync.card_owner",
                     en="card {card} of member {member_id} was issued by {owner}; only {owner} may revoke or replace"
                        " it, or a manager's audited decision (audit_id) sent with the push",
                     he="כרטיס {card} של החבר {member_id} הונפק בקופה {owner}; רק {owner} רשאית לבטל או להחליף אותו,"
                        " או החלטת מנהל מתועדת (audit_id) שנשלחת יחד")
CARD_KEY = message("sync.card_key", en="card {card} is signed with key {key_id} of terminal {owner}",
                   he="כרטיס {card} חתום במפתח {key_id} של קופה {owner}")
AUDIT_UNKNOWN = message("sync.audit_unknown",
                        en="card {card}: audit {audit_id} is not a manager's card decision recorded by this terminal",
                        he="כרטיס {card}: רישום {audit_id} אינו החלטת מנהל על כרטיס שנרשמה בקופה זו")


@dataclass(frozen=True)
class Refusal:
    """One refused item: the catalogue message and its parameters (rendered in English for HQ's log)."""

    message: Message
    params: Mapping[str, str | int] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.message.code

    def text(self, lang: str = "en") -> str:
        return self.message.render(lang, **self.params)[:300]


def refuse(message_: Message, **params: object) -> Refusal:
    """A `Refusal` with every parameter as a short string or an int (the wire's `params`)."""
    return Refusal(message_, {k: v if isinstance(v, int) and not isinstance(v, bool) else str(v)[:80]
                              for k, v in params.items()})


# Gift cards and store credit (`sync.hq.giftcards`, docs/giftcards.md).
GIFT_OVERSPENT = message("sync.gift_overspent",
                         en="movement {key}: {account} holds {balance} at HQ, it cannot take {amount}",
                         he="תנועה {key}: ב־{account} יש {balance} במטה, אי אפשר לחייב בה {amount}")
GIFT_UNKNOWN = message("sync.gift_unknown", en="movement {key}: {account} is not an account HQ holds",
                       he="תנועה {key}: {account} אינו חשבון שמוחזק במטה")
GIFT_EXISTS = message("sync.gift_exists", en="movement {key}: gift card {account} was already issued",
                      he="תנועה {key}: כרטיס המתנה {account} כבר הונפק")
GIFT_LOAD = message("sync.gift_load", en="movement {key}: a load of {amount} is outside the program's {min}..{max}",
                    he="תנועה {key}: טעינה של {amount} מחוץ לטווח התוכנית {min}..{max}")
GIFT_SIGN = message("sync.gift_sign", en="movement {key}: a {kind} cannot be {amount}",
                    he="תנועה {key}: {kind} לא יכול להיות {amount}")
GIFT_EXPIRED = message("sync.gift_expired", en="movement {key}: gift card {account} expired on {expires_on}",
                       he="תנועה {key}: תוקף כרטיס המתנה {account} פג ב־{expires_on}")
GIFT_NOT_EXPIRED = message("sync.gift_not_expired", en="movement {key}: gift card {account} pays until {expires_on}",
                           he="תנועה {key}: כרטיס המתנה {account} בתוקף עד {expires_on}")
