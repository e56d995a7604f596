"""Hostile input at the counter: scanned codes, catalog and program files, forged and stale cards.

Hypothesis throws random and mutated text at the card-token parser (only `TokenError`), at
`services.members.identify` on a real store (only `KupaError` subclasses, never a crash), and random bytes,
text and JSON at the catalog and program loaders (only `InvalidInputError`, and nothing written). Cards:
an edited token, a forged signature under a known key id, a token signed by a key this store never saw
(earning only, never spending), a replaced card, a revoked card, a revoked key and another store's member
are all refused for spending. Repeated wrong PINs are slowed down.
"""

from __future__ import annotations

import json
import sqlite3
import string
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_client.cards import tokens
from pos_client.db.models import TrustedKey
from pos_client.errors import AuthError, InvalidInputError, KupaError
from pos_client.services import auth
from pos_client.services.catalog import load_catalog_file
from pos_client.services.checkout import BasketRequest, checkout
from pos_client.services.members import identify, issue_card
from pos_client.services.programs import load_program_file
from pos_client.terminal import DB_NAME, Terminal
from pos_client.timeutil import to_iso, utcnow
from rel_harness import DATA, MANAGER_PIN, Template, copy_template

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TOKEN_CHARS = string.ascii_letters + string.digits + "._-=+/ \t\n\x00é€"


@pytest.fixture(scope="module")
def shop(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    store, _hq = copy_template(template, tmp_path_factory.mktemp("hostile"))
    terminal = Terminal.open(store)
    yield terminal
    terminal.close()


def _table_counts(terminal: Terminal) -> dict[str, int]:
    conn = sqlite3.connect(terminal.data_dir / DB_NAME)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def _mutate(text: str, data: st.DataObject) -> str:
    pos = data.draw(st.integers(0, len(text)))
    how = data.draw(st.sampled_from(["replace", "insert", "delete", "swap_piece"]))
    char = data.draw(st.sampled_from(TOKEN_CHARS))
    if how == "replace" and pos < len(text):
        return text[:pos] + char + text[pos + 1:]
    if how == "insert":
        return text[:pos] + char + text[pos:]
    if how == "delete" and pos < len(text):
        return text[:pos] + text[pos + 1:]
    pieces = text.split(".")
    i = data.draw(st.integers(0, len(pieces) - 1))
    pieces[i] = data.draw(st.text(TOKEN_CHARS, max_size=12))
    return ".".join(pieces)


@FUZZ
@given(st.one_of(st.text(max_size=300), st.text(TOKEN_CHARS, max_size=250).map(lambda t: "KUPA1." + t)))
def test_the_token_parser_only_ever_raises_token_error(text: str) -> None:
    try:
        token = tokens.parse(text)
    except tokens.TokenError:
        return
    assert token.text == text and len(token.signature) == 64


@FUZZ
@given(data=st.data())
def test_an_edited_token_never_unlocks_spending(shop: Terminal, template: Template, data: st.DataObject) -> None:
    member = data.draw(st.sampled_from(template.members))
    original = template.tokens[member]
    edited = _mutate(original, data)
    with shop.read() as session:
        try:
            found = identify(session, edited)
        except KupaError:
            return
    if found.can_spend:  # only the very card HQ issued unlocks the balance
        assert edited.strip() == original, edited


@FUZZ
@given(code=st.one_of(st.text(max_size=300), st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
                      st.from_regex(r"\AM[0-9]{4,12}\Z"), st.from_regex(r"\APC[0-9]{8}\Z"),
                      st.from_regex(r"\A\+?[0-9 ()\-.]{6,24}\Z")))
def test_identify_only_raises_kupa_errors(shop: Terminal, code: str) -> None:
    with shop.read() as session:
        try:
            identify(session, code)
        except KupaError:
            pass


@FUZZ
@given(body=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode),
                      st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                   lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c,
                                                                                       max_size=4),
                                   max_leaves=20).map(lambda v: json.dumps(v).encode()),
                      st.lists(st.tuples(st.sampled_from(["COFFEE-S", "x y", "", "A" * 70]),
                                         st.sampled_from(["Name", "", "x" * 130]),
                                         st.sampled_from(["100", "-1", "1.5", "", "9" * 20, "abc"]),
                                         st.sampled_from(["coffee", ""])), max_size=4).map(
                          lambda rows: ("sku,name,price,category\n" + "\n".join(",".join(r) for r in rows)).encode())),
       suffix=st.sampled_from([".csv", ".json"]))
def test_the_catalog_loader_refuses_junk_and_writes_nothing(shop: Terminal, tmp_path: Path, body: bytes,
                                                            suffix: str) -> None:
    path = tmp_path / f"catalog{suffix}"
    path.write_bytes(body)
    before = _table_counts(shop)
    try:
        load_catalog_file(shop, path)
    except InvalidInputError:
        assert _table_counts(shop) == before


_PROGRAM = json.loads((DATA / "program_full.json").read_text())


@st.composite
def _edited_program(draw: st.DrawFn) -> bytes:
    """The example program with one section replaced by junk (version 7 stays: it is installed already)."""
    document = json.loads(json.dumps(_PROGRAM))
    section = draw(st.sampled_from(sorted(document)))
    document[section] = draw(st.one_of(st.none(), st.integers(-5, 10**12), st.text(max_size=10), st.just([]),
                                       st.just({}), st.just({"unknown": 1}), st.floats(allow_nan=True)))
    return json.dumps(document).encode()


def _program_variants() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode), _edited_program(),
                     st.just(b'{"version": 8, "currency": "ILS", "version": 9}'))


@FUZZ
@given(body=_program_variants())
def test_the_program_loader_refuses_junk_and_writes_nothing(shop: Terminal, tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "program.json"
    path.write_bytes(body)
    before = _table_counts(shop)
    try:
        load_program_file(shop, path)
    except InvalidInputError:
        assert _table_counts(shop) == before


# --- cards that must not unlock a balance ------------------------------------------------------------------

def _spend(terminal: Terminal, code: str) -> None:
    checkout(terminal, BasketRequest(items=(("SHOE", 1),), member_code=code, redeem_points=100))


def _count_sales(terminal: Terminal) -> int:
    return _table_counts(terminal)["sales"]


@pytest.fixture
def store(template: Template, tmp_path: Path) -> Iterator[Terminal]:
    terminal = Terminal.open(copy_template(template, tmp_path)[0])
    yield terminal
    terminal.close()


def test_forged_edited_replaced_revoked_and_foreign_cards_cannot_spend(store: Terminal, template: Template) -> None:
    member = template.members[0]
    genuine = template.tokens[member]
    sales = _count_sales(store)
    parts = genuine.split(".")
    edited = ".".join([*parts[:2], template.members[1], *parts[3:]])  # another member, same signature
    other_key = Ed25519PrivateKey.generate()
    under_known_id = ".".join([*tokens.sign(other_key, member, 1, date(2026, 1, 1)).split(".")[:1], parts[1],
                               *tokens.sign(other_key, member, 1, date(2026, 1, 1)).split(".")[2:]])
    with store.read() as session:
        with pytest.raises(InvalidInputError, match="forged or edited"):
            identify(session, edited)
        with pytest.raises(InvalidInputError, match="forged or edited"):
            identify(session, under_known_id)
        unknown_key = identify(session, tokens.sign(other_key, member, 1, date(2026, 1, 1)))
        assert unknown_key.can_spend is False  # a key this store never saw: earning only
        with pytest.raises(InvalidInputError, match="not known on this terminal"):
            identify(session, tokens.sign(other_key, "M9990001", 1, date(2026, 1, 1)))  # another store's member
    with pytest.raises(AuthError):
        _spend(store, tokens.sign(other_key, member, 1, date(2026, 1, 1)))
    now = utcnow()
    with store.unit_of_work() as session:
        _card, replacement = issue_card(store, session, member, now)  # the old card is replaced
    with pytest.raises(InvalidInputError, match="revoked or replaced"):
        _spend(store, genuine)
    _spend(store, replacement)
    with store.unit_of_work() as session:  # the terminal key that signed the cards is revoked (by HQ)
        for key in session.query(TrustedKey).all():
            key.revoked_at = to_iso(now)
    with pytest.raises(InvalidInputError, match="key that signed this card was revoked"):
        _spend(store, replacement)
    assert _count_sales(store) == sales + 1


def test_repeated_wrong_pins_are_slowed_down(store: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside a session `authenticate` never sleeps: after 3 wrong PINs an attempt made before the lock-out
    has passed is refused unchecked; `wait_out_pin_lockout` (the PIN pad, the CLI) sleeps outside it."""
    from pos_client.services import pin_throttle

    now = [1_800_000_000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    monkeypatch.setattr(pin_throttle, "clock", lambda: now[0])
    monkeypatch.setattr(pin_throttle, "sleep", sleep)
    messages = []
    for _ in range(6):
        store.wait_out_pin_lockout()
        with pytest.raises(AuthError) as refused:
            with store.read() as session:
                auth.authenticate(session, "0000", role="manager")
        messages.append(refused.value.message)
    assert waits == [0.25, 0.5, 1.0]
    assert messages == ["wrong manager PIN"] * 6
    with pytest.raises(AuthError, match="too many wrong PINs"):  # not waited out: refused, the PIN unchecked
        with store.read() as session:
            auth.authenticate(session, MANAGER_PIN, role="manager")
    store.wait_out_pin_lockout()
    with store.read() as session:
        auth.authenticate(session, MANAGER_PIN, role="manager")  # the right PIN still works, and resets
    store.wait_out_pin_lockout()
    with store.read() as session:
        auth.authenticate(session, MANAGER_PIN, role="manager")
    assert waits == [0.25, 0.5, 1.0, 2.0]


def test_regression_a_token_with_a_non_canonical_signature_is_refused(shop: Terminal, template: Template) -> None:
    """The signature's last base64 character has 4 spare bits: 15 other spellings decoded to the same bytes
    and passed as the genuine card (found by the edit fuzzer above; `tokens.parse` now insists on the
    canonical spelling)."""
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    genuine = template.tokens[template.members[0]]
    index = alphabet.index(genuine[-1])
    twins = [genuine[:-1] + c for i, c in enumerate(alphabet) if i >> 4 == index >> 4 and i != index]
    assert len(twins) == 15 and all(tokens.b64decode(t.rsplit(".", 1)[1]) == tokens.b64decode(genuine.rsplit(".", 1)[1])
                                    for t in twins)
    with shop.read() as session:
        assert identify(session, genuine).can_spend
        for twin in twins:
            with pytest.raises(tokens.TokenError, match="canonical"):
                tokens.parse(twin)
            with pytest.raises(InvalidInputError, match="not a valid member card"):
                identify(session, twin)


def test_regression_wrong_pins_are_slowed_down_across_kupa_processes(
        store: Terminal, template: Template, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Each `kupa ... --pin` call is a new process; the wrong-PIN count lived only in memory, so a script
    calling `kupa adjust --pin NNNN` in a loop was never slowed. It is kept in the database (pin_attempts),
    and each call waits out the lock-out before it opens a transaction."""
    from pos_client.cli.main import main
    from pos_client.services import pin_throttle

    now = [1_800_000_000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    monkeypatch.setattr(pin_throttle, "clock", lambda: now[0])
    monkeypatch.setattr(pin_throttle, "sleep", sleep)
    args = ["--data-dir", str(store.data_dir), "adjust", "--member", template.members[0], "--points", "5",
            "--reason", "guessing"]
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        assert main([*args, "--pin", guess]) == 1
    assert waits == [0.25, 0.5]
    assert main([*args, "--pin", MANAGER_PIN]) == 0
    assert main([*args, "--pin", "5555"]) == 1  # the right PIN reset the count
    assert waits == [0.25, 0.5, 1.0]
    capsys.readouterr()
