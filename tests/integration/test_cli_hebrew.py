"""The command line in Hebrew: `KUPA_LANG=he` or `--lang he` words refusals and sentences from the catalogue.

Real subprocesses (the console script's module), as a cashier's shell would run them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import MANAGER_PIN, Kupa


def _run(store: Path, *args: str, lang: str | None = "he") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KUPA_LANG"}
    if lang:
        env["KUPA_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(store), *args],
                          capture_output=True, text=True, timeout=120, env=env)


def test_kupa_lang_he_prints_a_hebrew_refusal(kupa: Kupa, store: Path) -> None:
    member = kupa("member", "add", "--name", "Noa", "--json").json
    kupa("adjust", "--member", member["member_id"], "--points", "250", "--reason", "test credit", "--pin", MANAGER_PIN)
    result = _run(store, "checkout", "--member", member["card_token"], "--item", "SHOE", "--redeem", "350")
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    # balance 300 (50 welcome + 250), redemption step 100: why, and the most allowed, in Hebrew
    assert result.stderr == ("kupa: אי אפשר לממש 350 נקודות: מממשים בקפיצות של 100 נקודות; "
                             "המקסימום במכירה זו הוא 300 נקודות\n")
    over = _run(store, "checkout", "--member", member["card_token"], "--item", "SHOE", "--redeem", "400")
    assert over.stderr == "kupa: אי אפשר לממש 400 נקודות: לחבר יש 300 נקודות; המקסימום במכירה זו הוא 300 נקודות\n"


def test_the_json_refusal_carries_kind_code_params_and_the_hebrew_words(kupa: Kupa, store: Path) -> None:
    result = _run(store, "checkout", "--item", "NOPE", "--json")
    assert result.returncode == 1 and result.stderr == "kupa: מוצר לא מוכר 'NOPE'\n"
    assert json.loads(result.stdout) == {"error": "not_found", "message_code": "product.unknown",
                                         "message": "מוצר לא מוכר 'NOPE'", "params": {"code": "NOPE"}}


def test_lang_option_beats_the_environment_and_english_is_the_default(kupa: Kupa, store: Path) -> None:
    english = _run(store, "member", "show", "M9999999", lang=None)
    assert english.stderr == "kupa: no member with id M9999999\n"
    hebrew = _run(store, "--lang", "he", "member", "show", "M9999999", lang="en")
    assert hebrew.stderr == "kupa: אין חבר עם מספר M9999999\n"
    after_command = _run(store, "member", "show", "M9999999", "--lang", "en", lang="he")
    assert after_command.stderr == english.stderr


def test_sentences_and_money_are_hebrew_too(kupa: Kupa, store: Path) -> None:
    member = kupa("member", "add", "--name", "Noa", "--json").json
    result = _run(store, "member", "show", member["member_id"])
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].endswith("50 נקודות") and "דרגה" in lines[0]
    # the qualifying spend in Babel's Hebrew form: the number, a no-break space, then the sign
    assert lines[1] == "הוצאה מזכה \u200f0.00\u00a0\u200f₪ בחלון הדרגה"


def test_kupa_hq_speaks_hebrew(tmp_path: Path) -> None:
    env = {**os.environ, "KUPA_LANG": "he"}
    db = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    result = subprocess.run([sys.executable, "-m", "sync.hq.cli", "--db", db, "revoke-terminal", "NOPE"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 1 and result.stderr == "kupa-hq: לא רשומה קופה 'NOPE'\n"
