"""Every user-visible string of the cashier app has a Hebrew translation in `resources/i18n/kupa_he.ts`.

The strings are found in the source by their call: `self.tr("…")` (context: the class), a module's
`_t`/`_tr("…")` helper (context: the one its `QCoreApplication.translate` names), a direct
`QCoreApplication.translate("Ctx", "…")`, and the tables of strings translated through a variable (the cart's
and the member search's headers).
"""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "kupa_he.ts"
SKIP: set[str] = set()
#: Module-level tables whose values are translated through a variable: (file, name) → context.
#: (The core's own messages are not here: they are worded from the catalogue, pos_client.messages.)
TABLES = {("cart_model.py", "_HEADERS"): "CartModel", ("member_search.py", "_HEADERS"): "MemberSearchModel",
          ("customer_display.py", "_TEXTS"): "CustomerDisplay"}


def _helper_context(tree: ast.Module) -> dict[str, str]:
    """`{"_tr": "Sale"}` for module helpers that call `QCoreApplication.translate(CONTEXT, text)`."""
    consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}
    helpers = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "translate" and call.args:
                    first = call.args[0]
                    ctx = first.value if isinstance(first, ast.Constant) else consts.get(getattr(first, "id", ""))
                    if isinstance(ctx, str):
                        helpers[node.name] = ctx
    return helpers


def _strings_in(value: ast.AST) -> list[str]:
    if isinstance(value, ast.Dict):
        return [v.value for v in value.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(value, ast.List):  # [(pattern, template), ...]
        return [e.elts[1].value for e in value.elts if isinstance(e, ast.Tuple)
                and isinstance(e.elts[1], ast.Constant)]
    return []


def ui_strings() -> set[tuple[str, str]]:
    """(context, source) of every translatable string in `ui/`."""
    found: set[tuple[str, str]] = set()
    for path in sorted((ROOT / "ui").glob("*.py")):
        if path.name in SKIP:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = _helper_context(tree)
        for node in tree.body:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
            for target in targets:
                ctx = TABLES.get((path.name, getattr(target, "id", "")))
                if ctx and node.value is not None:
                    found |= {(ctx, text) for text in _strings_in(node.value)}
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
            for call in ast.walk(cls):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "tr" \
                        and call.args and isinstance(call.args[0], ast.Constant):
                    found.add((cls.name, call.args[0].value))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            name = getattr(call.func, "id", None)
            if name in helpers and isinstance(call.args[0], ast.Constant):
                found.add((helpers[name], call.args[0].value))
            if getattr(call.func, "attr", "") == "translate" and len(call.args) >= 2 \
                    and all(isinstance(a, ast.Constant) for a in call.args[:2]):
                found.add((call.args[0].value, call.args[1].value))
    return found


def translations() -> dict[tuple[str, str], str]:
    """(context, source) → translation, from the .ts file."""
    out = {}
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.get("type") not in ("obsolete", "vanished"):
                out[(name, message.findtext("source", ""))] = translation.text or ""
    return out


def test_every_ui_string_has_a_hebrew_translation() -> None:
    have = translations()
    missing = sorted(key for key in ui_strings() if not have.get(key))
    assert not missing, f"{len(missing)} strings lack a Hebrew translation: {missing[:20]}"


def test_translations_keep_their_placeholders() -> None:
    for (_ctx, source), text in translations().items():
        for i in range(6):
            assert (f"{{{i}}}" in source) == (f"{{{i}}}" in text), (source, text)
