"""An organiser imports a consultation's workshops from a CSV file in real Chromium: a bad file first (its
report names each refused row, nothing is made), then the corrected file (every workshop made, its
facilitator named). axe checks the pages; screenshots go to screenshots/ (look at them)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from consultations import operations as ops
from core.unit_of_work import committed
from extensions import db
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, sign_in
from workshops.models import Workshop

pytestmark = pytest.mark.e2e

HEADER = "titre;e-mail de l'animateur;nombre de groupes;début"
BAD = [
    "Atelier Lyon;lea@example.org;4;01/03/2027 09:30",
    "Atelier Lille;inconnu@example.org;3;01/03/2027 14:00",
    "Atelier Lyon;marc@example.org;4;02/03/2027 09:30",
    "Atelier Brest;marc@example.org;quatre;30/02/2027 09:30",
    ";lea@example.org;2;",
]
GOOD = [
    "Atelier Lyon;lea@example.org;4;01/03/2027 09:30",
    "Atelier Lille;marc@example.org;3;01/03/2027 14:00",
    "Atelier Brest;marc@example.org;4;02/03/2027 09:30",
]


def csv_file(rows: list[str]) -> dict[str, Any]:
    body = ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")
    return {"name": "ateliers.csv", "mimeType": "text/csv", "buffer": body}


def test_an_organiser_imports_workshops_from_a_csv_file(page: Any, app_ctx: Any) -> None:
    owner = factories.facilitator("ada@example.org", name="Ada")
    factories.facilitator("lea@example.org", name="Léa")
    factories.facilitator("marc@example.org", name="Marc")
    with committed():
        consultation = ops.create_consultation(
            owner, ops.Details("Health in 2040", "How do we care?", "", "en", "health-2040")
        )
    page.set_viewport_size(DESKTOP)
    sign_in(page, "ada@example.org")
    page.goto(f"/consultations/{consultation.id}")
    form = page.locator("form", has=page.get_by_role("heading", name="From a CSV file"))
    expect(form).to_be_visible()
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "csvimport-form-desktop.png"), full_page=True)

    form.get_by_label("CSV file", exact=True).set_input_files(csv_file(BAD))
    form.get_by_role("button", name="Import the workshops").click()
    expect(page.get_by_role("heading", level=1, name="Import workshops")).to_be_visible()
    report = page.get_by_role("alert")
    expect(report).to_contain_text("Nothing was imported.")
    expect(report).to_contain_text("4 rows of 5 were refused")
    rows = page.locator(".import-refused tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("No facilitator account uses the e-mail “inconnu@example.org”.")
    expect(rows.nth(1)).to_contain_text("Same title as row 2.")
    expect(rows.nth(2)).to_contain_text("“quatre” is not a number of groups.")
    expect(rows.nth(2)).to_contain_text("“30/02/2027 09:30” is not a start time")
    expect(rows.nth(3)).to_contain_text("The title is missing.")
    assert db.session.scalar(select(func.count(Workshop.id))) == 0
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "csvimport-report-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "csvimport-report-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    page.get_by_label("CSV file", exact=True).set_input_files(csv_file(GOOD))
    page.get_by_role("button", name="Import the workshops").click()
    expect(page.get_by_text("3 workshops imported.")).to_be_visible()
    table = page.locator(".consultation-workshops")
    for title in ("Atelier Lyon", "Atelier Lille", "Atelier Brest"):
        expect(table).to_contain_text(title)
    assert db.session.scalar(select(func.count(Workshop.id))) == 3
    page.screenshot(path=str(SHOTS / "csvimport-imported-desktop.png"), full_page=True)
