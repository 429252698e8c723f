"""The synthesis of a consultation for its sponsor: exact figures on a seeded consultation, its themes and
their pairs, the distinctive words (stemmed, without stop words), the charts (SVG, escaped), the CSV and
JSON downloads, the PDF report read back with poppler, its language, and who may see it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import update

from accounts.models import Facilitator
from consultations import charts, synthesis, text_stats
from consultations import operations as ops
from consultations.models import Consultation
from core.unit_of_work import committed
from extensions import db
from feedback.models import Comment
from stories.models import Reaction, Story, StoryLogEntry, StoryUpdate
from tests import factories
from tests.pdftools import pdf_text
from tests.signin import as_participant, sign_in
from tests.stories import samples
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.usefixtures("app_ctx")

NINE = datetime(2027, 3, 4, 9, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return NINE + timedelta(minutes=minutes)


def _story(workshop: Workshop, sample: samples.Sample) -> Story:
    group = next(g for g in workshop.groups if g.name == sample.group)
    return factories.story_of(group)


def _comment(story: Story, body: str, *, deleted: bool = False) -> None:
    db.session.add(Comment(story_id=story.id, author_name="Awa", body=body, deleted=deleted))


@pytest.fixture
def owner() -> Facilitator:
    return factories.facilitator("owner@example.org", name="Olive")


@pytest.fixture
def seeded(owner: Facilitator) -> dict[str, Any]:
    """Two workshops in a French consultation: A (Maison, Jardin, both published; 5 participants), B (Car
    published, Glycines a draft; 7 participants, one of them removed); and a workshop outside it (Banc,
    published), whose figures must not count."""
    with committed():
        made = ops.create_consultation(
            owner,
            ops.Details(
                title="Santé 2040",
                question=samples.QUESTION,
                description="",
                language="fr",
                slug="sante-2040",
            ),
        )
    a = samples.build_collection(
        "Atelier A", samples=[samples.MAISON, samples.JARDIN], consultation_id=made.id
    )
    b = samples.build_collection(
        "Atelier B", samples=[samples.CAR, samples.GLYCINES], consultation_id=made.id
    )
    outside = samples.build_collection("Ailleurs", samples=[samples.BANC])
    stories = {
        "maison": _story(a, samples.MAISON),
        "jardin": _story(a, samples.JARDIN),
        "car": _story(b, samples.CAR),
        "glycines": _story(b, samples.GLYCINES),
        "banc": _story(outside, samples.BANC),
    }
    for key, sample in [("maison", samples.MAISON), ("jardin", samples.JARDIN), ("car", samples.CAR),
                        ("banc", samples.BANC)]:  # fmt: skip
        with committed():
            samples.publish(stories[key], sample)
    # Participation: lengths, a removed participant, comments (one deleted), reactions (one hidden).
    for key, length in [("maison", 100), ("jardin", 50), ("car", 30), ("glycines", 20), ("banc", 999)]:
        stories[key].length = length
    removed = db.session.query(Participant).filter_by(workshop_id=b.id).order_by(Participant.id).first()
    assert removed is not None
    removed.removed_at = datetime.now(UTC)
    _comment(stories["maison"], "Belle idée")
    _comment(stories["maison"], "Oui !")
    _comment(stories["maison"], "(supprimé)", deleted=True)
    _comment(stories["glycines"], "Un brouillon commenté")
    _comment(stories["banc"], "Ailleurs")
    db.session.add_all(
        [
            Reaction(story_id=stories["maison"].id, kind="love", browser="b1"),
            Reaction(story_id=stories["maison"].id, kind="idea", browser="b2", hidden=True),
            Reaction(story_id=stories["car"].id, kind="love", browser="b1"),
            Reaction(story_id=stories["banc"].id, kind="love", browser="b1"),
        ]
    )
    # Writing times: each story has its update at seq 1; Maison's was kept for history (story_log holds the
    # same row: counted once) and it wrote a second one.
    for key, minutes in [("maison", 0), ("glycines", 7), ("jardin", 10), ("car", 65), ("banc", 200)]:
        db.session.execute(
            update(StoryUpdate).where(StoryUpdate.story_id == stories[key].id).values(created_at=_at(minutes))
        )
    maison = stories["maison"].id
    first = db.session.get(StoryUpdate, (maison, 1))
    assert first is not None
    db.session.add(StoryLogEntry(story_id=maison, seq=1, data=first.data, author_id=None, created_at=_at(0)))
    db.session.add(StoryUpdate(story_id=maison, seq=2, data=first.data, created_at=_at(31)))
    db.session.commit()
    return {"consultation": made, "a": a, "b": b, "stories": stories}


def _synthesis(consultation: Consultation) -> synthesis.Synthesis:
    with current_app.test_request_context():  # the stories' links are absolute URLs
        return synthesis.analyse(synthesis.gather(consultation))


def test_the_figures_are_exact(seeded: dict[str, Any]) -> None:
    found = _synthesis(seeded["consultation"])
    a, b = found.inputs.workshops
    assert (a.title, a.groups, a.participants, a.stories_published) == ("Atelier A", 2, 5, 2)
    assert (b.title, b.groups, b.participants, b.stories_published) == ("Atelier B", 2, 6, 1)
    assert (a.characters_written, b.characters_written) == (150, 50)
    assert (a.comments, b.comments) == (2, 1)  # the deleted one is not counted; a draft's is
    assert (a.reactions, b.reactions) == (1, 1)  # the hidden one is not
    stories = seeded["stories"]
    assert a.words_published == stories["maison"].published_words + stories["jardin"].published_words
    assert b.words_published == stories["car"].published_words
    assert stories["car"].published_words > 100
    t = found.totals
    assert (t.workshops, t.groups, t.participants, t.stories_published) == (2, 4, 11, 3)
    assert (t.characters_written, t.comments, t.reactions, t.updates) == (200, 3, 2, 5)
    assert t.votes is None
    assert a.votes is None


def test_the_timeline_buckets_every_update_once(seeded: dict[str, Any]) -> None:
    found = _synthesis(seeded["consultation"])
    assert found.inputs.bucket_seconds == 300  # 65 minutes: five-minute buckets
    counts = [b.updates for b in found.inputs.buckets]
    assert len(counts) == 14
    assert counts[0] == 1
    assert counts[1] == 1
    assert counts[2] == 1
    assert counts[6] == 1
    assert counts[13] == 1
    assert sum(counts) == 5  # Maison's kept row once, not the other workshop's Banc
    assert found.inputs.buckets[0].start == NINE


def test_themes_and_how_often_they_go_together(seeded: dict[str, Any]) -> None:
    found = _synthesis(seeded["consultation"])
    themes = {t.label: t.stories for t in found.themes}
    assert themes == {
        "Prévention": 2, "Lien social": 1, "Quartier": 1, "Nature": 1, "Santé mentale": 1,
        "Ruralité": 1, "Accès aux soins": 1,
    }  # fmt: skip
    assert found.themes[0].label == "Prévention"
    pairs = {(p.first, p.second): p.stories for p in found.pairs}
    assert len(pairs) == 7
    assert set(pairs.values()) == {1}
    assert ("Nature", "Prévention") in pairs
    assert ("Accès aux soins", "Ruralité") in pairs
    assert ("Lien social", "Ruralité") not in pairs
    index = found.matrix_labels.index("Prévention")
    assert found.matrix[index][index] == 2
    assert found.matrix[index][found.matrix_labels.index("Quartier")] == 1
    assert found.matrix[index][found.matrix_labels.index("Ruralité")] == 0


def test_only_published_stories_are_read(seeded: dict[str, Any]) -> None:
    found = _synthesis(seeded["consultation"])
    titles = [s.story.title for s in found.stories]
    assert set(titles) == {"L’ordonnance verte", "La Maison des communs", "Le car de santé du plateau"}
    words = {w.word for s in found.stories for w in s.words} | {w.word for w in found.top_words}
    assert "yanis" not in words
    assert "simone" not in words
    assert "banc" not in words  # the Banc is another consultation's
    assert not any(t.label in {"Vieillir", "Intergénérationnel"} for t in found.themes)


def test_the_distinctive_words_are_stemmed_without_stop_words(seeded: dict[str, Any]) -> None:
    found = _synthesis(seeded["consultation"])
    stops = text_stats.stop_words("fr")
    every = [w for s in found.stories for w in s.words] + [w for t in found.themes for w in t.words]
    assert every
    assert not [w.word for w in every if w.word in stops or len(w.word) < 3]
    car = next(s for s in found.stories if s.story.title.startswith("Le car"))
    assert "plateau" in [w.word for w in car.words]
    prevention = next(t for t in found.themes if t.label == "Prévention")
    assert {"santé", "quartier"} & {w.word for w in prevention.words}


def test_french_stemming_merges_forms_and_drops_stop_words() -> None:
    texts = {
        "a": "La santé des enfants, les santés des anciens : la santé pour tous et toutes.",
        "b": "Le jardin du quartier, les jardins des voisins.",
    }
    found = text_stats.distinctive(texts, "fr")
    a = {t.word: t.count for t in found["a"]}
    assert a["santé"] == 3  # "santé", "santés", "santé": one stem
    assert "santés" not in a
    assert not {"la", "des", "les", "pour", "tous", "et"} & set(a)
    assert {t.word: t.count for t in found["b"]}["jardin"] == 2
    english = text_stats.distinctive({"x": "The children's health and the healthy children"}, "en")["x"]
    assert {t.word: t.count for t in english}["children"] == 2
    assert "the" not in {t.word for t in english}


def test_the_charts_are_svg_with_their_text_escaped() -> None:
    svg = charts.bar_chart([charts.Bar("<script>alert(1)</script> & co", 3)], "Par atelier")
    assert svg.startswith("<svg")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&amp; co" in svg
    assert charts.nice_step(0) == 1
    assert charts.nice_step(37) == 10
    heat = charts.heat_map(["a", "b"], [[2, 1], [1, 1]], '"quoted"')
    assert 'aria-label="&quot;quoted&quot;"' in heat or "aria-label='\"quoted\"'" in heat


# --- Over HTTP ---------------------------------------------------------------------------------------


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_page_shows_figures_charts_themes_and_stories_in_french(
    client: FlaskClient, seeded: dict[str, Any], owner: Facilitator
) -> None:
    consultation = seeded["consultation"]
    page = _page(sign_in(client, owner), f"/consultations/{consultation.id}/synthesis")
    flat = " ".join(page.split()).replace("> <", "><")
    assert "<dt>Participants</dt><dd>11</dd>" in flat
    assert "<dt>Ateliers</dt><dd>2</dd>" in flat  # the consultation's language, not the organiser's
    assert "<dt>Commentaires</dt><dd>3</dd>" in flat
    assert page.count("<svg") == 5  # three bar charts, the timeline, the themes' heat map
    assert "https://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    for title in ("La Maison des communs", "Le car de santé du plateau"):
        assert title in page
    assert "La colocation des Glycines" not in page
    assert f"/stories/{seeded['stories']['car'].id}" in page
    assert "Prévention" in page
    assert "Aucun vote" in page


def test_an_english_consultation_gets_an_english_synthesis(client: FlaskClient, owner: Facilitator) -> None:
    with committed():
        made = ops.create_consultation(
            owner,
            ops.Details(title="Health 2040", question="How?", description="", language="en", slug="h-2040"),
        )
    page = _page(sign_in(client, owner), f"/consultations/{made.id}/synthesis")
    assert "Participation" in page
    assert "Workshops" in page
    assert "Nobody has written yet." in page
    assert "No story is published yet." in page
    response = client.get(f"/consultations/{made.id}/synthesis.pdf")
    assert response.status_code == 200
    assert "No story is published yet." in pdf_text(response.get_data())


def test_the_json_download_holds_every_figure(
    client: FlaskClient, seeded: dict[str, Any], owner: Facilitator
) -> None:
    consultation = seeded["consultation"]
    response = sign_in(client, owner).get(f"/consultations/{consultation.id}/synthesis.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="sante-2040-synthesis.json"'
    data = json.loads(response.get_data())
    assert data["totals"]["participants"] == 11
    assert data["totals"]["comments"] == 3
    assert data["totals"]["votes"] is None
    assert data["votes"] is None
    assert [w["title"] for w in data["workshops"]] == ["Atelier A", "Atelier B"]
    assert data["timeline"]["bucket_seconds"] == 300
    assert sum(b["updates"] for b in data["timeline"]["buckets"]) == 5
    assert {"themes": ["Nature", "Prévention"], "stories": 1} in data["theme_pairs"]
    assert len(data["stories"]) == 3
    car = next(s for s in data["stories"] if s["title"].startswith("Le car"))
    assert car["url"].endswith(f"/stories/{seeded['stories']['car'].id}")
    assert car["summary"]
    assert car["distinctive_words"]


def _csv(client: FlaskClient, consultation: Consultation, table: str) -> list[list[str]]:
    response = client.get(f"/consultations/{consultation.id}/synthesis-{table}.csv")
    assert response.status_code == 200, table
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_downloads(client: FlaskClient, seeded: dict[str, Any], owner: Facilitator) -> None:
    consultation = seeded["consultation"]
    sign_in(client, owner)
    workshops = _csv(client, consultation, "workshops")
    disposition = client.get(f"/consultations/{consultation.id}/synthesis-workshops.csv").headers
    assert disposition["Content-Disposition"] == 'attachment; filename="sante-2040-synthesis-workshops.csv"'
    header = workshops[0]
    rows = [dict(zip(header, row, strict=True)) for row in workshops[1:]]
    assert [(r["title"], r["participants"], r["comments"]) for r in rows] == [
        ("Atelier A", "5", "2"),
        ("Atelier B", "6", "1"),
    ]
    timeline = _csv(client, consultation, "timeline")
    assert timeline[0] == ["start", "updates"]
    assert len(timeline) == 15
    assert sum(int(r[1]) for r in timeline[1:]) == 5
    themes = _csv(client, consultation, "themes")
    assert themes[1][:3] == ["prevention", "Prévention", "2"]
    assert len(_csv(client, consultation, "pairs")) == 8
    stories = _csv(client, consultation, "stories")
    assert len(stories) == 4
    assert stories[0][:3] == ["id", "title", "workshop"]
    assert client.get(f"/consultations/{consultation.id}/synthesis-nope.csv").status_code == 404


def test_a_formula_in_a_title_is_defused_in_the_csv(
    client: FlaskClient, seeded: dict[str, Any], owner: Facilitator
) -> None:
    seeded["a"].title = '=HYPERLINK("http://evil")'
    db.session.commit()
    rows = _csv(sign_in(client, owner), seeded["consultation"], "workshops")
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_the_pdf_report_reads_back(client: FlaskClient, seeded: dict[str, Any], owner: Facilitator) -> None:
    consultation = seeded["consultation"]
    response = sign_in(client, owner).get(f"/consultations/{consultation.id}/synthesis.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="sante-2040-synthesis.pdf"'
    data = response.get_data()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "SYNTHÈSE" in text
    assert "Santé 2040" in text
    assert "Participation" in text
    assert "Participants par atelier" in text
    assert "11 Participants" in text or "11 Participants" in text.replace("  ", " ")
    for title in ("La Maison des communs", "L’ordonnance verte", "Le car de santé du plateau"):
        assert title in text
    assert "La colocation des Glycines" not in text
    assert "Prévention" in text
    assert "Nature + Prévention (1)" in text
    assert "Atelier A" in text  # the bar charts' labels are text in the PDF
    assert "Aucun vote" in text


# --- Who may see it ----------------------------------------------------------------------------------

URLS = ("/synthesis", "/synthesis.json", "/synthesis.pdf", "/synthesis-workshops.csv")


def _urls(consultation: Consultation) -> list[str]:
    return [f"/consultations/{consultation.id}{tail}" for tail in URLS]


def test_an_invited_co_organiser_sees_it(client: FlaskClient, seeded: dict[str, Any]) -> None:
    other = factories.facilitator("co@example.org")
    with committed():
        ops.invite_organiser(seeded["consultation"], "co@example.org")
    sign_in(client, other)
    for url in _urls(seeded["consultation"]):
        assert client.get(url).status_code == 200, url


def test_another_consultations_organiser_gets_404(client: FlaskClient, seeded: dict[str, Any]) -> None:
    other = factories.facilitator("other@example.org")
    with committed():
        ops.create_consultation(
            other, ops.Details(title="Autre", question="", description="", language="fr", slug="autre-chose")
        )
    sign_in(client, other)
    for url in _urls(seeded["consultation"]):
        assert client.get(url).status_code == 404, url


def test_a_facilitator_running_one_of_its_workshops_gets_404(
    client: FlaskClient, seeded: dict[str, Any]
) -> None:
    runner = db.session.get(Facilitator, seeded["a"].owner_id)
    assert runner is not None
    sign_in(client, runner)
    for url in _urls(seeded["consultation"]):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["anonymous", "participant", "reader"])
def test_anyone_not_signed_in_is_sent_to_sign_in(
    client: FlaskClient, seeded: dict[str, Any], who: str
) -> None:
    if who == "participant":
        group = seeded["a"].groups[0]
        as_participant(client, factories.participant(group, "Intruse")[1])
    if who == "reader":
        assert client.get("/c/sante-2040").status_code == 200  # a reader of the public collection
    for url in _urls(seeded["consultation"]):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
        assert b"Atelier" not in response.get_data()


@pytest.mark.parametrize(
    "tail", ["/synthesis", "/synthesis.json", "/synthesis.pdf", "/synthesis-stories.csv", "/synthesis-..csv"]
)
def test_bad_and_huge_ids_are_404(client: FlaskClient, owner: Facilitator, tail: str) -> None:
    sign_in(client, owner)
    for bad in ("99999999999999999999", "0", "-1", "abc"):
        assert client.get(f"/consultations/{bad}{tail}").status_code == 404


def test_an_empty_consultation_has_a_synthesis(client: FlaskClient, owner: Facilitator) -> None:
    with committed():
        made = ops.create_consultation(
            owner, ops.Details(title="Vide", question="", description="", language="fr", slug="vide-2040")
        )
    sign_in(client, owner)
    page = _page(client, f"/consultations/{made.id}/synthesis")
    assert "Personne n’a encore écrit." in page or "Personne n'a encore écrit." in page
    for url in _urls(made)[1:]:
        assert client.get(url).status_code == 200, url


def test_the_stories_are_read_in_chunks(seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    whole = [s.story for s in _synthesis(seeded["consultation"]).stories]
    monkeypatch.setattr(synthesis, "CHUNK", 2)
    assert [s.story for s in _synthesis(seeded["consultation"]).stories] == whole
    assert len(whole) == 3


def test_over_the_work_budget_the_synthesis_answers_503(
    client: FlaskClient, seeded: dict[str, Any], owner: Facilitator, change_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    change_settings(work_budget_s=0.05)
    slow = synthesis.analyse

    def spinning(*args: Any, **kwargs: Any) -> Any:
        total = 0
        for n in range(10**9):  # pure CPU until the budget's watchdog cuts it
            total += n
        return slow(*args, **kwargs)

    monkeypatch.setattr(synthesis, "analyse", spinning)
    sign_in(client, owner)
    for tail in ("/synthesis", "/synthesis.json", "/synthesis.pdf", "/synthesis-workshops.csv"):
        response = client.get(f"/consultations/{seeded['consultation'].id}{tail}")
        assert response.status_code == 503, tail


def test_hostile_titles_are_escaped_in_the_page_and_charts(
    client: FlaskClient, seeded: dict[str, Any], owner: Facilitator
) -> None:
    seeded["a"].title = '<script>alert(1)</script><img src=x onerror=alert(2)> "A" & B'
    db.session.commit()
    page = _page(sign_in(client, owner), f"/consultations/{seeded['consultation'].id}/synthesis")
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    response = client.get(f"/consultations/{seeded['consultation'].id}/synthesis.pdf")
    assert "<script>alert(1)</script>" in pdf_text(response.get_data())  # text, as typed


def test_the_votes_of_the_consultation_are_in_every_figure(
    client: FlaskClient, seeded: dict[str, Any], owner: Facilitator
) -> None:
    """Two voters' dots (from `consultations.vote`) reach the stories, their workshops and the totals."""
    from consultations import vote as votes

    consultation, stories = seeded["consultation"], seeded["stories"]
    with committed():
        votes.open_vote(consultation, 3, True)
    with committed():
        votes.allocate(consultation, votes.Voter("r:one"), {stories["maison"].id: 2, stories["car"].id: 1})
    with committed():
        votes.allocate(consultation, votes.Voter("r:two"), {stories["maison"].id: 1})
    found = _synthesis(consultation)
    a, b = found.inputs.workshops
    assert (a.votes, b.votes, found.totals.votes) == (3, 1, 4)
    assert found.inputs.votes is not None
    assert found.inputs.votes.voters == 2
    assert not found.inputs.votes.closed
    data = json.loads(
        sign_in(client, owner).get(f"/consultations/{consultation.id}/synthesis.json").get_data()
    )
    assert data["votes"] == {"voters": 2, "closed": False, "dots": 4}
