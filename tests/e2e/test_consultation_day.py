"""A consultation's day in real Chromium, as its people live it (issue 25), through the UI wherever a person
would click: the organiser creates the account, the consultation and three workshops from its agenda at
once, and invites a facilitator into each; the facilitators, signed in as themselves in their own browsers,
open their consoles and run their workshops; participants (one on a phone, in French) join with the codes
and write in their group's editor while the organiser's live overview follows; the facilitators publish the
stories; the organiser opens the vote, the participants place their dots, the organiser closes it, and
downloads the synthesis, whose PDF names the workshops and the vote's totals; the public collection shows
the stories and the results. Screenshots of each key step go to screenshots/journey/ (look at them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e import pages
from tests.e2e.pages import DESKTOP, PHONE
from tests.pdftools import pdf_text

pytestmark = pytest.mark.e2e

SHOTS = pages.SHOTS / "journey"
LIVE = 30_000  # what one person does reaches another's screen: generous, for a loaded machine
TITLE = "Care 2040"
SLUG = "care-2040"
STORIES = ("The Night Clinic", "Rooftop Gardens", "The Slow Street")  # one per workshop
THEMES = ("care, night", "care", "streets")
FACILITATORS = (
    ("sam@example.org", "Sam Diallo"),
    ("lou@example.org", "Lou Martin"),
    ("noor@example.org", "Noor Haddad"),
)


def shot(page: Any, name: str, *, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def sign_up(page: Any, name: str, email: str) -> None:
    """The first account of this Plume, made from the home page's sign-in link."""
    page.goto("/")
    page.get_by_role("link", name="Facilitator sign in").first.click()
    page.wait_for_url("**/setup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_label("Repeat the password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_text("Your facilitator account is ready")).to_be_visible()


def create_consultation(page: Any) -> str:
    """The organiser's new consultation, in English, on the Bright Mirror agenda; its page's URL."""
    page.get_by_role("link", name="My workshops").first.click()
    page.get_by_role("link", name="My consultations").click()
    page.get_by_role("link", name="New consultation").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("The question of the consultation").fill("In 2040, how do we take care of each other?")
    page.get_by_label("Description (Markdown)").fill("A day of **three** workshops across the county.")
    page.get_by_label("Language of the consultation").select_option("en")
    page.get_by_label("Public address").fill(SLUG)
    page.get_by_label("Themes (optional)").fill("care\nnight\nstreets")
    page.get_by_role("button", name="Create the consultation").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    return str(page.url).split("#")[0]


def workshop_rows(page: Any) -> list[tuple[str, str]]:
    """(title, join code as shown) of each workshop in the consultation's table."""
    rows = page.locator(".consultation-workshops tbody tr")
    return [
        (
            rows.nth(n).locator("th").inner_text().strip(),
            rows.nth(n).locator(".join-code").inner_text().strip(),
        )
        for n in range(rows.count())
    ]


def invite(page: Any, consultation_url: str, workshop: str, email: str, name: str) -> None:
    """From the consultation's table to the workshop's page, where its facilitator is invited."""
    page.goto(consultation_url)
    page.locator(".consultation-workshops").get_by_role("link", name=workshop, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=workshop)).to_be_visible()
    page.get_by_label("Email of their facilitator account").fill(email)
    page.get_by_role("button", name="Invite a co-facilitator").click()
    expect(page.get_by_text(f"{name} can now run this workshop with you.")).to_be_visible()


def open_consoles(new_context: Any, titles: list[str]) -> list[Any]:
    """The facilitators, each in a browser of their own and at the same time, sign in and run their
    workshop from "My workshops"; their consoles."""
    consoles = [new_context(viewport=DESKTOP).new_page() for _title in titles]
    for console, (email, _name) in zip(consoles, FACILITATORS, strict=True):
        console.goto("/login")
        console.get_by_label("Email").fill(email)
        console.get_by_label("Password").fill(factories.PASSWORD)
        console.get_by_role("button", name="Sign in").click()
    for console, title in zip(consoles, titles, strict=True):
        expect(console.get_by_role("button", name="Sign out")).to_be_visible()
        console.get_by_role("link", name="My workshops").first.click()
        console.get_by_role("link", name=f"Run {title}", exact=True).click()
    for console in consoles:
        console.wait_for_url("**/console")
        expect(console.locator("[data-console]")).to_have_attribute(
            "data-connection", "connected", timeout=LIVE
        )
    return consoles


def join(new_context: Any, code: str, name: str, *, french: bool = False, **options: Any) -> Any:
    """A participant types the code from the organiser's sheet and their name on the join page."""
    page = new_context(**options).new_page()
    page.goto("/")
    page.get_by_role("link", name="Rejoindre un atelier" if french else "Join a workshop").first.click()
    page.get_by_label("Code d’accès" if french else "Join code").fill(code)
    page.get_by_label("Votre nom" if french else "Your name").fill(name)
    page.get_by_role("button", name="Rejoindre" if french else "Join", exact=True).click()
    page.wait_for_url("**/w/*")
    expect(page.locator("[data-group-name]")).to_be_visible()
    return page


def editor(page: Any) -> Any:
    return page.locator("[data-story-editor] .cm-content")


def write(page: Any, text: str) -> None:
    """Type at the end of the group's story, once the editor opens for writing, and wait until it is saved."""
    expect(editor(page)).to_have_attribute("contenteditable", "true", timeout=LIVE)
    editor(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)
    expect(page.locator("[data-editor-status]")).to_have_attribute("data-save", "saved", timeout=LIVE)


def card(page: Any, title: str) -> Any:
    return page.locator(".ov-card", has=page.get_by_text(title, exact=True))


def publish(consoles: list[Any]) -> None:
    """The facilitators, at the same time, review their group's story from the console, title it, tag it
    and publish it."""
    for console in consoles:
        console.get_by_role("link", name="Review and publish").first.click()
    for console, title, themes in zip(consoles, STORIES, THEMES, strict=True):
        expect(console.get_by_role("heading", level=1, name="Review and publish")).to_be_visible()
        story = console.locator(".review-story").first
        story.get_by_label("Title").fill(title)
        story.get_by_label("Themes").fill(themes)
        story.get_by_role("button", name="Publish", exact=True).click()
    for console in consoles:
        expect(console.locator(".review-story").first.locator(".pill--ok")).to_be_visible(timeout=LIVE)


def dot(page: Any, title: str, times: int = 1, *, french: bool = False) -> None:
    name = re.compile(f"^Placer une gommette sur .{{1,2}}{title}") if french else f"Put a dot on “{title}”"
    for _ in range(times):
        page.get_by_role("button", name=name).click()


def make_workshops(admin: Any, consultation_url: str) -> list[tuple[str, str]]:
    """Three workshops of one group from the consultation's agenda in one go, a facilitator invited into
    each; their (title, join code)."""
    batch = admin.locator("form", has=admin.get_by_role("heading", name="Many workshops at once"))
    batch.get_by_label("Number of workshops").fill("3")
    batch.get_by_label("Groups in each workshop").fill("1")
    batch.get_by_role("button", name="Create the workshops").click()
    expect(admin.get_by_text("3 workshops added.")).to_be_visible()
    workshops = workshop_rows(admin)
    assert [title for title, _code in workshops] == [f"{TITLE} 1", f"{TITLE} 2", f"{TITLE} 3"]
    for (title, _code), (email, name) in zip(workshops, FACILITATORS, strict=True):
        invite(admin, consultation_url, title, email, name)
    return workshops


def on_every_console(consoles: list[Any], overview: Any, titles: list[str], button: str, shows: str) -> None:
    """Every facilitator clicks `button` (a jump asks first); every card of the overview then `shows`."""
    for console in consoles:
        console.get_by_role("button", name=button).click()
        if button.startswith("Go to phase"):
            console.get_by_role("dialog").get_by_role("button", name="Go to this phase").click()
    for title in titles:
        expect(card(overview, title)).to_contain_text(shows, timeout=LIVE)


def read_the_report(office: Any, tmp_path: Path, titles: list[str]) -> None:
    """Download the synthesis PDF and read it back: the workshops, the stories, the vote's totals."""
    with office.expect_download() as download:
        office.get_by_role("link", name="PDF report").click()
    path = tmp_path / "synthesis.pdf"
    download.value.save_as(path)
    text = pdf_text(path.read_bytes())
    (SHOTS / "synthesis.txt").write_text(text)
    for title in (*titles, *STORIES):
        assert title in text
    assert "7 Votes" in text  # the participation figures
    for story, dots in zip(STORIES, (2, 4, 1), strict=True):
        assert re.search(f"{story} .*? Votes: {dots} ", text)  # each story's dots
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is not None:
        for old in SHOTS.glob("synthesis-pdf-*.png"):
            old.unlink()
        subprocess.run([pdftoppm, "-png", "-r", "70", str(path), str(SHOTS / "synthesis-pdf")], check=True)


def test_a_consultation_day_from_sign_up_to_the_synthesis(
    new_context: Any, app_ctx: Any, tmp_path: Path
) -> None:
    # The organiser makes her account, the consultation and its three workshops at once.
    organiser = new_context(viewport=DESKTOP)
    admin = organiser.new_page()
    sign_up(admin, "Ada Organiser", "ada@example.org")
    for email, name in FACILITATORS:  # the colleagues already have their accounts on this Plume
        factories.facilitator(email, name=name)
    consultation_url = create_consultation(admin)
    workshops = make_workshops(admin, consultation_url)
    titles = [title for title, _code in workshops]
    codes = [code for _title, code in workshops]

    # The organiser keeps the live overview open all day, in a tab of its own.
    admin.goto(consultation_url)
    admin.get_by_role("link", name="Live overview").click()
    overview = admin
    expect(overview.locator("[data-link-status]")).to_have_text("Live", timeout=LIVE)
    expect(overview.locator(".ov-card")).to_have_count(3)
    for title in titles:
        expect(card(overview, title)).to_contain_text("Not started yet")
    office = organiser.new_page()  # the organiser's other tab
    office.set_viewport_size(DESKTOP)

    # The facilitators, each in their own browser, open the consoles of their workshops and start them.
    consoles = open_consoles(new_context, titles)
    on_every_console(consoles, overview, titles, "Start the workshop", "Phase 1 of 8")

    # Participants join with the codes: two in the first workshop (one on a phone, in French), one in each
    # of the others.
    awa = join(new_context, codes[0], "Awa", viewport=DESKTOP)
    lea = join(new_context, codes[0], "Léa", french=True, locale="fr-FR", viewport=PHONE, is_mobile=True,
               has_touch=True)  # fmt: skip
    lea.get_by_role("button", name="Français").click()  # the room speaks English; she chooses French
    expect(lea.locator("html")).to_have_attribute("lang", "fr")
    tom = join(new_context, codes[1], "Tom", viewport=DESKTOP)
    ines = join(new_context, codes[2], "Inès", viewport=DESKTOP)
    expect(card(overview, titles[0])).to_contain_text("2/2 connected", timeout=LIVE)
    expect(card(overview, titles[1])).to_contain_text("1/1 connected", timeout=LIVE)
    expect(card(overview, titles[2])).to_contain_text("1/1 connected", timeout=LIVE)

    # The facilitators step to the signals, then jump to the writing (the console asks first).
    on_every_console(consoles, overview, titles, "Next phase", "Phase 2 of 8")
    on_every_console(consoles, overview, titles, "Go to phase 5: Write", "Phase 5 of 8")

    write(awa, "At night the clinic opens its doors to the whole street. ")
    write(lea, "Les infirmières saluent depuis les fenêtres. ")
    write(tom, "On every roof a garden feeds the block below. ")
    write(ines, "Cars give the street back to the children. ")
    for title in titles:
        expect(card(overview, title).locator('.chip[data-state="writing"]')).to_have_count(1, timeout=LIVE)
    shot(overview, "overview-writing", full=False)

    # The facilitators move on to the cross-reading, then review and publish their group's story.
    on_every_console(consoles, overview, titles, "Next phase", "Phase 6 of 8")
    publish(consoles)

    # The organiser opens the vote; the participants place their dots; her results follow live.
    office.goto(consultation_url)
    office.get_by_role("link", name="Vote on the stories").click()
    expect(office.get_by_text("3 stories published")).to_be_visible()
    office.get_by_label("Dots per voter").fill("3")
    office.get_by_role("button", name="Open the vote").click()
    expect(office.get_by_text("The vote is open.")).to_be_visible()

    night, gardens, street = STORIES
    for voter in (awa, tom):
        voter.goto(f"/c/{SLUG}")
        voter.get_by_role("link", name="Vote", exact=True).click()
        expect(voter.get_by_role("status")).to_have_text("0 of 3 dots placed")
    dot(awa, night, 2)
    dot(awa, gardens)
    expect(awa.get_by_role("status")).to_have_text("3 of 3 dots placed")
    dot(tom, gardens, 3)
    expect(tom.get_by_role("status")).to_have_text("3 of 3 dots placed")
    lea.goto(f"/c/{SLUG}")
    lea.get_by_role("link", name="Voter", exact=True).click()  # her choice of French holds
    expect(lea.get_by_role("heading", level=1, name="Voter pour les récits")).to_be_visible()
    dot(lea, street, french=True)
    expect(lea.get_by_role("status")).to_have_text("Gommettes placées : 1 sur 3")
    shot(lea, "ballot-phone-fr")
    expect(office.locator("[data-vote-totals]")).to_have_text("3 voters · 7 dots placed", timeout=LIVE)
    expect(office.locator(".vote-results__line").first).to_contain_text(gardens)
    expect(office.locator(".vote-results__line").first).to_contain_text("4 dots")
    shot(office, "vote-open")

    office.get_by_role("button", name="Close the vote").click()
    expect(office.get_by_text("The vote is closed. Its results are now public.")).to_be_visible()
    shot(office, "vote-closed")

    # The synthesis, and its PDF report for the sponsor.
    office.goto(consultation_url)
    office.get_by_role("link", name="Synthesis").click()
    expect(office.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(office.locator(".synthesis-stories > li")).to_have_count(3)
    expect(office.get_by_role("heading", name="Themes that go together")).to_be_visible()
    shot(office, "synthesis")
    read_the_report(office, tmp_path, titles)

    # The public collection: the three stories and the vote's results.
    reader = new_context(viewport=DESKTOP).new_page()
    reader.goto(f"/c/{SLUG}")
    expect(reader.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(reader.locator(".story-card")).to_have_count(3)
    expect(reader.locator(".story-card", has_text=STORIES[0])).to_contain_text("Les infirmières saluent")
    expect(reader.locator(".story-card", has_text=STORIES[0])).to_contain_text("By Awa and Léa")
    results = reader.locator("#vote")
    expect(results.get_by_role("heading", name="Results of the vote")).to_be_visible()
    expect(results.locator(".vote-results__line")).to_have_count(3)
    expect(results.locator(".vote-results__line").first).to_contain_text(gardens)
    expect(results.locator("[class=vote-totals]")).to_have_text("3 voters · 7 dots placed")
    shot(reader, "public-collection")
