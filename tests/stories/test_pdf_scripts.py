"""PDF exports for every reader: emoji and non-Latin scripts embedded, a tagged structure for screen
readers, and download headers with one charset."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from core.unit_of_work import committed
from stories.reading import pdf, publishing
from tests import factories
from tests.pdftools import pdf_text

WORLD = "Seeds 🌱 of 未来"
BODY = (
    f"# {WORLD}\n\nΕλπίδα и надежда, 希望 and 희망 🌍❤️ 👩‍💻.\n\n## Part two\n\n- one item\n- two\n\n"
    "> quoted\n\nLast words."
)


def poppler(tool: str, data: bytes, *args: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} not found (apt-get install poppler-utils)")
    done = subprocess.run([found, *args, "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def fallback_fonts_installed() -> None:
    missing = [path for _family, path in pdf.FALLBACK_FONTS if not Path(path).is_file()]
    if missing:
        pytest.skip(f"fallback fonts missing (.ci/run installs them): {missing}")


@pytest.fixture
def story(app_ctx: Any) -> Any:
    workshop = factories.workshop(groups=2, language="en")
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, BODY)
    with committed():
        publishing.publish(story)
    return story


def test_downloads_say_their_charset_once(client: FlaskClient, story: Any) -> None:
    for suffix, mimetype in (("md", "text/markdown"), ("html", "text/html")):
        response = client.get(f"/stories/{story.id}.{suffix}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == f"{mimetype}; charset=utf-8"


def test_emoji_and_other_scripts_are_embedded_and_printed(client: FlaskClient, story: Any) -> None:
    fallback_fonts_installed()
    data = client.get(f"/stories/{story.id}.pdf").data
    fonts = poppler("pdffonts", data)
    for name in ("Symbola", "DroidSansFallback", "NanumGothic", "DejaVuSerif"):
        line = next((line for line in fonts.splitlines() if name in line), "")
        assert line, f"{name} not in the PDF:\n{fonts}"
        assert line.split()[-5] == "yes", f"{name} is not embedded: {line}"  # the "emb" column
    text = pdf_text(data)
    for word in ("🌱", "未来", "Ελπίδα", "надежда", "希望", "희망", "🌍", "❤", "👩", "💻"):
        assert word in text, word


def test_a_latin_story_embeds_no_fallback_font(app_ctx: Any) -> None:
    assert pdf.fallbacks_for(["Une histoire en français, « sans » émoji — ni idéogramme."]) == []
    fallback_fonts_installed()
    assert [family for family, _ in pdf.fallbacks_for(["🌱"])] == ["emoji"]
    assert [family for family, _ in pdf.fallbacks_for(["未来 희망"])] == ["cjk", "hangul"]


def test_the_story_pdf_is_tagged_for_screen_readers(client: FlaskClient, story: Any) -> None:
    data = client.get(f"/stories/{story.id}.pdf").data
    assert "Tagged:          yes" in poppler("pdfinfo", data)
    structure = [line.strip() for line in poppler("pdfinfo", data, "-struct-text").splitlines()]
    assert structure[0] == "Document"
    assert structure[structure.index("H1 (block)") + 1] == f'"{WORLD}"'
    assert structure[structure.index("H2 (block)") + 1] == '"Part two"'
    items = [structure[i + 1] for i, line in enumerate(structure) if line == "LI (block)"]
    assert items == ['"one item"', '"two"']
    assert structure[structure.index('"Last words."') - 1] == "P (block)"
    assert '"•"' not in structure  # bullets are labels, not text
    assert '"1"' not in structure  # the running footer (page number) is an artifact


def test_the_anthology_is_tagged_too(client: FlaskClient, story: Any) -> None:
    data = client.get(f"/stories/c/{story.workshop_id}/anthology.pdf").data
    assert "Tagged:          yes" in poppler("pdfinfo", data)
    structure = poppler("pdfinfo", data, "-struct-text")
    assert f'"{WORLD}"' in structure
    assert '"Contents"' in structure
