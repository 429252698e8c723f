"""Read PDF exports back with poppler (Debian's poppler-utils), as a reader's viewer would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} not found (apt-get install poppler-utils): PDF content checks skipped")
    return found


def pdf_text(data: bytes) -> str:
    """The text of a PDF as poppler extracts it (what a reader's search or copy would get), one-spaced."""
    result = subprocess.run(
        [_tool("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def pdf_page_png(path: Path, page: int, target: Path) -> None:
    """Page `page` of the PDF at `path` as a PNG at `target` (110 dpi)."""
    stem = target.with_suffix("")
    pages = ["-f", str(page), "-l", str(page)]
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "110", *pages, "-singlefile", str(path), str(stem)], check=True
    )
