"""English and French are complete: every string in the code is in the French catalogue, translated."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_french_catalogue_covers_every_string_in_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
            "--ignore-dirs=.venv node_modules static tests .git", "-o", str(pot), ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )  # fmt: skip
    missing = _ids(pot) - _ids(PO)
    assert not missing, f"run `make i18n-extract` and translate: {sorted(missing)[:10]}"


def test_every_french_message_is_translated_and_not_fuzzy() -> None:
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]
    assert not untranslated, f"untranslated or fuzzy: {untranslated[:10]}"


#: Signs French typography puts a non-breaking space before (narrow or not), and the one it puts after.
SPACE_BEFORE = ":;!?»"
NO_BREAK = "\u00a0\u202f"


def _french_strings() -> list[tuple[str, str]]:
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    found = []
    for message in catalogue:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        found += [(msgid, form) for form in forms]
    return found


def test_french_puts_a_non_breaking_space_before_high_signs_and_inside_quotes() -> None:
    wrong = [
        (msgid, french)
        for msgid, french in _french_strings()
        if re.search(rf"(?<=\S) [{SPACE_BEFORE}]|« |[^{NO_BREAK}\s(]»|«[^{NO_BREAK}]", french)
        or re.search(rf"\w[{SPACE_BEFORE}](?=\s|$)", re.sub(r"https?://\S+|\w+://|%\(\w+\)s", "", french))
    ]
    assert not wrong, f"{len(wrong)} French strings without a non-breaking space, e.g. {wrong[:5]}"


def test_french_counts_use_plural_forms_not_parentheses() -> None:
    wrong = [(msgid, french) for msgid, french in _french_strings() if re.search(r"\w\((e|s|x|es)\)", french)]
    assert not wrong, f"use ngettext (Python) or a plural entry (browser_strings.plural): {wrong[:5]}"
