"""The whole XSS corpus published as one story, with a hostile title, summary, themes and credits, opened in
real Chromium: no dialog opens and no payload runs.

The Content-Security-Policy would block inline scripts anyway, so the browser contexts here bypass it:
what is tested is the sanitiser and the templates' escaping, not the CSP. Each payload appears twice: as
written (most call `alert(1)`, caught by the dialog listener) and with `alert(1)` replaced by a statement
that sets `window.__xss` (caught even when no dialog would open).
"""

from __future__ import annotations

from typing import Any

import pytest

from core.unit_of_work import committed
from stories.reading import publishing
from stories.reading.publishing import Draft
from tests import factories
from tests.e2e.test_reader import sign_in
from tests.stories.xss_corpus import XSS_CORPUS

pytestmark = pytest.mark.e2e

FLAG = "window.__xss=1"
HOSTILE = (
    '"><script>window.__xss=1</script><img src=x onerror="window.__xss=1;alert(1)"><svg onload=alert(1)>'
)


def hostile_story() -> tuple[Any, Any]:
    """A published story made of every corpus input (as is, then setting the flag), hostile metadata."""
    owner = factories.facilitator("xss@example.org")
    workshop = factories.workshop(owner, groups=1, title=HOSTILE[:200], question=HOSTILE)
    group = workshop.groups[0]
    writer, _token = factories.participant(group, HOSTILE[:60])
    story = factories.story_of(group)
    payloads = [*XSS_CORPUS, *(p.replace("alert(1)", FLAG) for p in XSS_CORPUS if "alert(1)" in p)]
    factories.story_text(story, "\n\n".join(payloads), author=writer)
    draft = Draft.clean(HOSTILE[:200], HOSTILE[:600], ["<script>x</script>", "<img src=x onerror=alert(1)>"],
                        [HOSTILE[:60]], False)  # fmt: skip
    with committed():
        publishing.publish(story, draft)
    return workshop, story


def watch(page: Any) -> list[str]:
    """Record every dialog the page opens (and dismiss it, so that nothing blocks)."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def assert_nothing_ran(page: Any, dialogs: list[str]) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # onload / onerror handlers of failed images would have fired by now
    assert dialogs == [], f"{page.url} opened dialogs: {dialogs}"
    assert page.evaluate("typeof window.__xss") == "undefined", f"a payload ran on {page.url}"


def test_the_xss_corpus_published_runs_nothing(new_context: Any, app_ctx: Any) -> None:
    assert len(XSS_CORPUS) >= 40
    workshop, story = hostile_story()
    page = new_context(bypass_csp=True).new_page()
    dialogs = watch(page)

    for url in (
        f"/stories/{story.id}",
        f"/stories/c/{workshop.id}",
        "/stories",
        "/stories/search?q=script",
        f"/stories/search?q={HOSTILE}",
    ):
        page.goto(url)
        assert_nothing_ran(page, dialogs)

    page.goto(f"/stories/{story.id}")
    assert page.locator(".story__title").inner_text().startswith('"><script>')  # shown, as text
    assert page.locator(".story__body script, .story__body iframe, .story__body object").count() == 0

    # The standalone HTML download, opened as a page of its own.
    exported = page.request.get(f"/stories/{story.id}.html").text()
    page.set_content(exported)
    assert_nothing_ran(page, dialogs)


def test_the_review_preview_of_the_corpus_runs_nothing(new_context: Any, app_ctx: Any) -> None:
    workshop, story = hostile_story()
    facilitator = new_context(bypass_csp=True).new_page()
    dialogs = watch(facilitator)
    sign_in(facilitator, "xss@example.org")

    facilitator.goto(f"/workshops/{workshop.id}/publish")

    assert facilitator.locator(f"#story-{story.id} .story__body").count() == 1
    assert_nothing_ran(facilitator, dialogs)
