"""The synthesis in real Chromium: an organiser opens it from the consultation's page, reads its charts,
themes and stories (axe checks the page), and downloads the PDF report, whose pages are turned into PNGs
(pdftoppm) beside the page's screenshot in screenshots/ (look at them)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from consultations import operations as ops
from core.unit_of_work import committed
from extensions import db
from feedback.models import Comment
from stories.models import StoryUpdate
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, sign_in
from tests.pdftools import pdf_text
from tests.stories import samples

pytestmark = pytest.mark.e2e

WORKSHOPS = [
    ("Nantes · mardi matin", [samples.MAISON, samples.JARDIN]),
    ("Limousin · plateau", [samples.CAR, samples.GLYCINES]),
    ("Saint-Julien", [samples.BANC, samples.LILA]),
]


def _seed() -> Any:
    owner = factories.facilitator("ada@example.org", name="Ada")
    with committed():
        consultation = ops.create_consultation(
            owner,
            ops.Details(title="Santé 2040", question=samples.QUESTION, description="", language="fr",
                        slug="sante-2040", starts_on=datetime(2027, 3, 4, tzinfo=UTC).date()),
        )  # fmt: skip
    start = datetime(2027, 3, 4, 9, 0, tzinfo=UTC)
    minute = 0
    for title, written in WORKSHOPS:
        workshop = samples.build_collection(title, samples=written, consultation_id=consultation.id)
        for group, sample in zip(workshop.groups, written, strict=True):
            story = factories.story_of(group)
            if sample is not samples.GLYCINES:  # stays a draft
                with committed():
                    samples.publish(story, sample)
            story.length = len(sample.text)
            for n in range(12):  # a morning of writing, unevenly spread
                factories.story_text(story, f" {n}")
            seqs = db.session.scalars(select(StoryUpdate.seq).where(StoryUpdate.story_id == story.id)).all()
            for n, seq in enumerate(sorted(seqs)):
                at = start + timedelta(minutes=minute + n * 9 + (n * n) % 7)
                db.session.execute(
                    update(StoryUpdate)
                    .where(StoryUpdate.story_id == story.id, StoryUpdate.seq == seq)
                    .values(created_at=at)
                )
            db.session.add(Comment(story_id=story.id, author_name="Awa", body="Belle idée"))
            minute += 11
    db.session.commit()
    return consultation


def test_an_organiser_reads_the_synthesis_and_downloads_its_report(
    page: Any, app_ctx: Any, tmp_path: Any
) -> None:
    consultation = _seed()
    page.set_viewport_size(DESKTOP)
    sign_in(page, "ada@example.org")
    page.goto(f"/consultations/{consultation.id}")
    page.get_by_role("link", name="Synthesis").click()
    expect(page.get_by_role("heading", level=1, name="Santé 2040")).to_be_visible()
    expect(page.get_by_role("heading", name="Participation")).to_be_visible()  # in the consultation's French
    expect(page.locator(".synthesis-chart svg")).to_have_count(5)
    expect(page.locator(".synthesis-stories > li")).to_have_count(5)
    expect(page.get_by_role("img", name="Participants par atelier")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "synthesis-desktop.png"), full_page=True)
    for index, section in enumerate(page.locator(".synthesis-section").all()):
        section.screenshot(path=str(SHOTS / f"synthesis-section-{index + 1}.png"))
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "synthesis-phone.png"), full_page=True)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.set_viewport_size(DESKTOP)

    with page.expect_download() as download:
        page.get_by_role("link", name="Rapport PDF").click()
    path = tmp_path / "synthesis.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename == "sante-2040-synthesis.pdf"
    text = pdf_text(path.read_bytes())
    assert "Ce que respire Lila" in text
    assert "Nantes · mardi matin" in text
    assert "09:00" in text  # the timeline's first bucket (its labels are text in the PDF)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is not None:
        for old in SHOTS.glob("synthesis-pdf-*.png"):
            old.unlink()
        subprocess.run([pdftoppm, "-png", "-r", "80", str(path), str(SHOTS / "synthesis-pdf")], check=True)
        assert list(SHOTS.glob("synthesis-pdf-*.png"))
