"""Join codes: short, easy to read aloud and to type, with no look-alike characters.

The canonical form, stored in ``Workshop.join_code``, is six characters from a 30-character alphabet
(``K7QM4P``); it is shown grouped as ``K7Q-M4P``. People may type it in lower case, with or without the
dash, with spaces: :func:`normalise_join_code` turns any of that back into the canonical form.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select

from extensions import db
from workshops.models import Workshop

#: Digits and capitals without the look-alikes 0/O and 1/I/L, nor U (fewer accidental words): 30 symbols.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6
MAX_TRIES = 20
_NOT_CODE = re.compile(r"[^0-9A-Z]")


class JoinCodesExhaustedError(RuntimeError):
    """No free code was found in MAX_TRIES draws (practically impossible: 30⁶ ≈ 729 million codes)."""


def random_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def new_join_code() -> str:
    """A fresh code that no workshop uses yet (canonical form)."""
    for _ in range(MAX_TRIES):
        code = random_join_code()
        if db.session.scalar(select(Workshop.id).where(Workshop.join_code == code)) is None:
            return code
    raise JoinCodesExhaustedError("no free join code found")


def normalise_join_code(text: object) -> str:
    """The canonical form of what someone typed: upper case, separators and spaces removed.

    Anything that is not a string, or is absurdly long, gives ``""`` (which matches no workshop).
    """
    if not isinstance(text, str) or len(text) > 64:
        return ""
    return _NOT_CODE.sub("", text.upper())


def format_join_code(code: str) -> str:
    """The code as people read it: ``K7Q-M4P`` (codes of another length are shown as they are)."""
    if len(code) == LENGTH:
        half = LENGTH // 2
        return f"{code[:half]}-{code[half:]}"
    return code
