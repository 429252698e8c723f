"""The synthesis as a PDF report for the sponsor, through the stories' PDF machinery
(`stories.reading.pdf.Book`: embedded DejaVu fonts and their fallbacks, a tagged PDF, a running footer).

A4 pages (the charts need the width), made off the event loop within the work budget together with the
analysis (`synthesis_views`): from plain values only, every word already translated (`labels`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fpdf.enums import Align, XPos, YPos

from consultations.synthesis import MAX_CHART_WORKSHOPS, Synthesis
from stories.reading.pdf import ACCENT, INK, MUTED, SOFT, Book, FontFiles

PAGE = "A4"
CHART_PX = 640  # the charts' width in SVG units (charts.WIDTH)


class Report(Book):
    """A `Book` on A4 pages (every new page, the automatic ones included)."""

    def add_page(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("same") and not args:
            kwargs.setdefault("format", PAGE)
        super().add_page(*args, **kwargs)


def _lines(pdf: Book, text: str, font: tuple[str, str, float], colour: tuple[int, int, int] = INK,
           height: float = 5, structure: str = "P", link: str | int = "") -> None:  # fmt: skip
    pdf.set_font(*font)
    pdf.set_text_color(*colour)
    with pdf.block(structure):
        pdf.multi_cell(0, height, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT, link=link)


def _heading(pdf: Report, text: str) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(5)
    pdf.start_section(text, level=0)
    _lines(pdf, text, ("sans", "B", 14), INK, 7, "H2")
    pdf.set_fill_color(*ACCENT)
    pdf.rect(pdf.l_margin, pdf.get_y() + 0.5, 14, 0.6, style="F")
    pdf.ln(4)


def _chart(pdf: Book, svg: str | None, title: str, caption: str = "") -> None:
    """A chart under its title, both on one page (a new page when they do not fit)."""
    if not svg:
        return
    width = pdf.epw
    height_px = float(svg.split('height="', 1)[1].split('"', 1)[0])
    height = height_px * width / CHART_PX
    if pdf.will_page_break(height + 18):
        pdf.add_page()
    _lines(pdf, title, ("sans", "B", 10), INK, 6, "H3")
    pdf.image(svg.encode(), x=pdf.l_margin, w=width, alt_text=caption or None)
    if caption:
        _lines(pdf, caption, ("sans", "", 8), MUTED, 4)
    pdf.ln(3)


def _figures(pdf: Book, rows: Sequence[tuple[str, str]]) -> None:
    """Label, value rows in two columns."""
    half = pdf.epw / 2
    for index, (label, value) in enumerate(rows):
        if index % 2 == 0:
            top = pdf.get_y()
            x = pdf.l_margin
        else:
            x = pdf.l_margin + half
        pdf.set_xy(x, top)
        pdf.set_font("sans", "B", 15 if value.isdigit() else 10)
        pdf.set_text_color(*ACCENT)
        width = max(30.0, pdf.get_string_width(value) + 4)
        with pdf.block("P"):
            pdf.cell(width, 8, value)
        pdf.set_font("sans", "", 9.5)
        pdf.set_text_color(*SOFT)
        with pdf.block("P"):
            pdf.cell(half - width, 8, label)
        if index % 2 == 1 or index == len(rows) - 1:
            pdf.set_xy(pdf.l_margin, top + 9)


def _terms(words: Sequence[object]) -> str:
    return " · ".join(str(getattr(w, "word", w)) for w in words)


Labels = Mapping[str, str]


def _cover(pdf: Report, synthesis: Synthesis, labels: Labels) -> None:
    i = synthesis.inputs
    pdf.add_page()
    _lines(pdf, labels["report"].upper(), ("sans", "B", 8), ACCENT, 4)
    pdf.ln(2)
    _lines(pdf, i.title, ("serif", "B", 24), INK, 10, "H1")
    if i.question:
        pdf.ln(2)
        _lines(pdf, i.question, ("serif", "I", 12.5), SOFT, 6.5)
    pdf.ln(2)
    _lines(pdf, labels["made"], ("sans", "", 8.5), MUTED, 4.5)
    _lines(pdf, i.url, ("sans", "", 8.5), ACCENT, 4.5, link=i.url)


def _participation(pdf: Report, synthesis: Synthesis, labels: Labels) -> None:
    t = synthesis.totals
    _heading(pdf, labels["participation"])
    rows = [
        (labels["workshops"], str(t.workshops)),
        (labels["participants"], str(t.participants)),
        (labels["groups"], str(t.groups)),
        (labels["stories_published"], str(t.stories_published)),
        (labels["words_published"], str(t.words_published)),
        (labels["characters_written"], str(t.characters_written)),
        (labels["comments"], str(t.comments)),
        (labels["reactions"], str(t.reactions)),
        (labels["votes"], labels["no_vote"] if t.votes is None else str(t.votes)),
    ]
    _figures(pdf, rows)
    pdf.ln(3)
    charts = synthesis.charts
    cut = labels["chart_cut"] if len(synthesis.inputs.workshops) > MAX_CHART_WORKSHOPS else ""
    for key, title, caption in (
        ("participants", labels["participants_chart"], cut),
        ("words", labels["words_chart"], ""),
        ("comments", labels["comments_chart"], ""),
        ("timeline", labels["timeline_chart"], labels["timeline_caption"]),
    ):
        _chart(pdf, charts.get(key), title, caption)


def _themes(pdf: Report, synthesis: Synthesis, labels: Labels) -> None:
    _heading(pdf, labels["themes"])
    if not synthesis.themes:
        _lines(pdf, labels["no_themes"], ("serif", "I", 10.5), SOFT)
    for theme in synthesis.themes:
        _lines(pdf, f"{theme.label} ({theme.stories})", ("sans", "B", 10), INK, 5.5)
        if theme.words:
            _lines(pdf, _terms(theme.words), ("serif", "", 10), SOFT, 5)
        pdf.ln(1.5)
    if "themes" in synthesis.charts:
        pdf.ln(2)
        _chart(pdf, synthesis.charts["themes"], labels["pairs_chart"], labels["pairs_caption"])
    for pair in synthesis.pairs[:15]:
        _lines(pdf, f"{pair.first} + {pair.second} ({pair.stories})", ("serif", "", 10), SOFT, 5)
    if synthesis.top_words:
        _heading(pdf, labels["top_words"])
        _lines(pdf, _terms(synthesis.top_words), ("serif", "", 10.5), SOFT, 5.5)


def _stories(pdf: Report, synthesis: Synthesis, labels: Labels) -> None:
    _heading(pdf, labels["stories"])
    if not synthesis.stories:
        _lines(pdf, labels["no_stories"], ("serif", "I", 10.5), SOFT)
    for item in synthesis.stories:
        story = item.story
        if pdf.will_page_break(35):
            pdf.add_page()
        _lines(pdf, f"{story.workshop} · {story.group}".upper(), ("sans", "B", 7), ACCENT, 4)
        _lines(pdf, story.title, ("serif", "B", 13), INK, 6.5, "H3", link=story.url)
        if story.summary:
            _lines(pdf, story.summary, ("serif", "", 10), INK, 5)
        details = [", ".join(label for _slug, label in story.themes)]
        if item.words:
            details.append(labels["distinctive"] % {"words": _terms(item.words)})
        if item.dots is not None:
            details.append(labels["dots"] % {"count": item.dots})
        _lines(pdf, " — ".join(d for d in details if d), ("sans", "", 8), MUTED, 4.2)
        _lines(pdf, story.url, ("sans", "", 8), ACCENT, 4.2, link=story.url)
        pdf.ln(3.5)


def synthesis_pdf_of(synthesis: Synthesis, labels: Labels, fonts: FontFiles) -> bytes:
    """The report: the consultation, its participation (figures, charts), themes, words and stories."""
    i = synthesis.inputs
    texts = [i.title, i.question, *(s.title + s.summary for s in i.stories), *(w.title for w in i.workshops)]
    pdf = Report(f"{labels['report']} · {i.title}", i.language, texts, fonts)
    pdf.set_title(f"{labels['report']}: {i.title}")
    pdf.set_author("Plume")
    pdf.set_subject(i.question)
    _cover(pdf, synthesis, labels)
    _participation(pdf, synthesis, labels)
    _themes(pdf, synthesis, labels)
    _stories(pdf, synthesis, labels)
    return bytes(pdf.output())
