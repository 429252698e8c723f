"""PDF downloads (fpdf2): one story, or a workshop's anthology with a cover, contents and a chapter per story.

A5 pages set in DejaVu Serif (embedded, so that every accent prints), headings in DejaVu Sans. The fonts
come from the system (PLUME_PDF_FONT_DIR, by default Debian's fonts-dejavu-core); without them the export
fails with a clear `PdfUnavailableError` instead of a PDF that drops characters. The body is the published,
sanitised HTML reshaped by `exports.offline_html` (images become their alt text: nothing is fetched) and
laid out by fpdf2's `write_html`; if that ever chokes on some markup, the whole document is made again
from the plain text of each paragraph, so that a download never fails for a story's content.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import lxml.html
from flask import current_app
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from fpdf import FPDF, FontFace, TextStyle
from fpdf.enums import Align, XPos, YPos
from fpdf.outline import OutlineSection

from stories import catalog, rendering
from stories.catalog import Collection
from stories.exports import byline, offline_html, published_on
from stories.links import aware, public_url
from stories.models import Story

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {
    "serif": (
        "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf",
    ),
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"),
    "mono": (
        "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf",
        "DejaVuSansMono-Oblique.ttf", "DejaVuSansMono-BoldOblique.ttf",
    ),
}  # fmt: skip
STYLES = ("", "B", "I", "BI")

INK = (29, 27, 25)
SOFT = (74, 69, 64)
MUTED = (95, 88, 80)
ACCENT = (154, 52, 18)
PAPER = (251, 248, 243)
ACCENT_SOFT = (253, 232, 220)
ACCENT_SOFTER = (248, 210, 189)
BODY_SIZE = 10.5
BLOCKS = {"div", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr"}


class PdfUnavailableError(RuntimeError):
    """PDF export cannot work on this server (its fonts are missing); the message says what to install."""


def _font_files() -> dict[str, list[Path]]:
    folder = Path(current_app.config.get("PLUME_PDF_FONT_DIR") or FONT_DIR)
    files = {family: [folder / name for name in names] for family, names in FONTS.items()}
    missing = [str(path) for paths in files.values() for path in paths if not path.is_file()]
    if missing:
        raise PdfUnavailableError(
            f"PDF export needs the DejaVu fonts, missing: {', '.join(missing)}. Install them "
            "(Debian/Ubuntu: apt-get install fonts-dejavu-core) or set PLUME_PDF_FONT_DIR."
        )
    return files


def check_fonts() -> None:
    """Raise PdfUnavailableError unless every font the PDFs embed is installed."""
    _font_files()


class Book(FPDF):
    """An A5 page with Plume's fonts, a running footer (page number, the book's name) and no header."""

    def __init__(self, footer_text: str, language: str) -> None:
        super().__init__(format=(148, 210), unit="mm")  # A5
        self.font_files = {
            (family, style): path
            for family, paths in _font_files().items()
            for style, path in zip(STYLES, paths, strict=True)
        }
        self._load_font("sans", "")
        self.set_fallback_fonts(["sans"], exact_match=False)  # DejaVu Sans has the most glyphs
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=20)
        self.footer_text = footer_text
        self.footer_from = 1  # no footer on the pages before this one (the cover)
        self.set_lang(language)
        self.set_creator("Plume")

    def _load_font(self, family: str, style: str) -> None:
        """Read a font file the first time the document uses it (parsing all twelve costs half a second)."""
        if f"{family}{style}" not in self.fonts and (family, style) in self.font_files:
            self.add_font(family, style, str(self.font_files[family, style]))

    def set_font(self, family: str | None = None, style: Any = "", size: float = 0) -> None:
        text = str(getattr(style, "style", style) or "").upper()
        self._load_font(
            (family or self.font_family).lower(), ("B" if "B" in text else "") + ("I" if "I" in text else "")
        )
        super().set_font(family, style, size)

    def footer(self) -> None:
        if self.page_no() < self.footer_from:
            return
        self.set_y(-13)
        self.set_font("sans", "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 5, str(self.page_no()), align=Align.R)


def _tag_styles() -> dict[str, Any]:
    heading = {"font_family": "sans", "font_style": "B", "color": INK, "b_margin": 0.3}  # × font height
    return {
        "h2": TextStyle(font_size_pt=13, t_margin=6, **heading),
        "h3": TextStyle(font_size_pt=11.5, t_margin=5, **heading),
        "h4": TextStyle(font_size_pt=10.5, t_margin=4, **heading),
        "h5": TextStyle(font_size_pt=10, t_margin=4, **heading),
        "h6": TextStyle(font_size_pt=10, t_margin=4, **heading),
        "p": TextStyle(font_family="serif", font_size_pt=BODY_SIZE, t_margin=2.2),
        "blockquote": TextStyle(
            font_family="serif", font_style="I", color=SOFT, l_margin=7, t_margin=3, b_margin=3
        ),
        "li": TextStyle(l_margin=6, t_margin=1.2),
        "pre": TextStyle(font_family="mono", font_size_pt=8.5, t_margin=3),
        "code": FontFace(family="mono", size_pt=9),
        "a": FontFace(color=ACCENT, emphasis="UNDERLINE"),
    }


def _pdf_html(html: str) -> str:
    """The published HTML shaped for fpdf2: images as alt text, headings below the title, plain table
    cells, justified paragraphs with some leading."""
    shaped = offline_html(html, under_title=True, flat_tables=True)
    if not shaped:
        return ""
    root = lxml.html.fragment_fromstring(shaped, create_parent="div")
    for element in root.iter():
        if element.tail is not None and not element.tail.strip():
            element.tail = None  # fpdf2 would lay out the line breaks between blocks as empty lines
        if element.tag in BLOCKS and element.text is not None and not element.text.strip():
            element.text = None
    for link in list(root.iter("a")):  # in-page anchors (footnotes): fpdf2 wants them declared; plain text
        if (link.get("href") or "").startswith("#"):
            if "footnote-backref" in (link.get("class") or ""):
                link.drop_tree()
            else:
                link.drop_tag()
    for paragraph in root.iter("p"):
        quoted = any(parent.tag == "blockquote" for parent in paragraph.iterancestors())
        paragraph.set("align", "left" if quoted else "justify")  # a short quotation justified gapes
        paragraph.set("line-height", "1.4")
    for listing in root.iter("ul", "ol"):
        listing.set("line-height", "1.35")
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def _plain_paragraphs(markdown: str) -> list[str]:
    blocks = [block for block in markdown.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return [text for text in (rendering.plain_text(block) for block in blocks) if text]


def _write_body(pdf: Book, story: Story, plain: bool) -> None:
    pdf.set_text_color(*INK)
    if plain:
        pdf.set_font("serif", "", BODY_SIZE)
        for paragraph in _plain_paragraphs(story.published_markdown):
            pdf.multi_cell(0, BODY_SIZE * 0.5, paragraph, align=Align.J, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2.2)
        return
    pdf.set_font("serif", "", BODY_SIZE)
    pdf.write_html(
        _pdf_html(story.published_html),
        font_family="serif",
        tag_styles=_tag_styles(),
        li_prefix_color=ACCENT,
        ul_bullet_char="•",
        warn_on_tags_not_matching=False,
    )


def _lines(pdf: FPDF, height: float, text: str, font: tuple[str, str, float], color: tuple[int, int, int],
           width: float = 0, **kwargs: Any) -> None:  # fmt: skip
    """A left-aligned block of text in `font` and `color`, the cursor left below it at the margin."""
    pdf.set_font(*font)
    pdf.set_text_color(*color)
    pdf.multi_cell(width, height, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT, **kwargs)


def _rule(pdf: FPDF, length: float, thickness: float) -> None:
    """A short accent rule at the left margin, under a title."""
    pdf.set_fill_color(*ACCENT)
    pdf.rect(pdf.l_margin, pdf.get_y(), length, thickness, style="F")


def _write_story(
    pdf: Book, story: Story, plain: bool, number: int | None = None, new_page: bool = True
) -> None:
    """One story from the top of a page: its kicker, title (an outline entry), byline, then its text."""
    if new_page:
        pdf.add_page()
    kicker = _("Story %(number)d", number=number) if number else story.workshop.title
    _lines(pdf, 4, kicker.upper(), ("sans", "B", 7.5), ACCENT)
    pdf.ln(2)
    pdf.start_section(story.title, level=0)
    _lines(pdf, 8.5, story.title, ("serif", "B", 20), INK)
    pdf.ln(1.5)
    _lines(pdf, 5, byline(story), ("serif", "I", 10), SOFT)
    if story.themes:
        _lines(pdf, 4.5, " · ".join(t.label for t in story.themes), ("sans", "", 7.5), MUTED)
    pdf.ln(3)
    _rule(pdf, 14, 0.6)
    pdf.ln(4)
    _write_body(pdf, story, plain)


def _with_fallback(build: Callable[[bool], bytes]) -> bytes:
    """`build(plain=False)`, or the plain-text edition when fpdf2's HTML layout fails on some markup."""
    try:
        return build(False)
    except PdfUnavailableError:
        raise
    except Exception:  # fpdf2's HTML layout refused something: the plain edition still reads well
        current_app.logger.exception("PDF layout of the HTML failed; exporting the plain-text edition")
        return build(True)


def story_pdf(story: Story) -> bytes:
    """One story as a PDF, with where it comes from at the end."""

    def build(plain: bool) -> bytes:
        pdf = Book(story.workshop.title, story.workshop.language)
        pdf.set_title(story.title)
        pdf.set_author(", ".join(catalog.authors(story)) or _("Anonymous authors"))
        _write_story(pdf, story, plain)
        pdf.ln(6)
        source = _("From “%(workshop)s”, published on %(date)s: %(url)s",
                   workshop=story.workshop.title, date=published_on(story),
                   url=public_url("stories.read", story_id=story.id))  # fmt: skip
        _lines(pdf, 4, source, ("sans", "", 7.5), MUTED)
        return bytes(pdf.output())

    return _with_fallback(build)


# --- The anthology -----------------------------------------------------------------------------------


def _cover(pdf: Book, collection: Collection) -> None:
    workshop = collection.workshop
    pdf.add_page()
    pdf.set_fill_color(*PAPER)
    pdf.rect(0, 0, pdf.w, pdf.h, style="F")
    for radius, colour in ((78, ACCENT_SOFT), (48, ACCENT_SOFTER)):  # a rising sun, bottom right
        pdf.set_fill_color(*colour)
        pdf.circle(x=pdf.w - 22, y=pdf.h - 20, radius=radius, style="F")
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 9, style="F")
    pdf.set_y(46)
    _lines(pdf, 5, _("An anthology of stories from the future").upper(), ("sans", "B", 8), ACCENT)
    pdf.ln(4)
    _lines(pdf, 11.5, workshop.title, ("serif", "B", 27), INK)
    if workshop.question:
        pdf.ln(5)
        _rule(pdf, 18, 0.7)
        pdf.ln(5)
        _lines(pdf, 6.5, workshop.question, ("serif", "I", 12.5), SOFT)
    pdf.set_y(-42)
    count = len(collection.stories)
    facts = [
        ngettext("%(num)d story", "%(num)d stories", count),
        format_date(aware(collection.published_at), "long"),
    ]
    _lines(pdf, 5, " · ".join(facts), ("sans", "", 8.5), MUTED)
    _lines(pdf, 7, "Plume", ("serif", "B", 12), INK)


def _toc(stories: Sequence[Story]) -> Callable[[FPDF, list[OutlineSection]], None]:
    """The table of contents: each story's number, title, authors and page, all linked to the story."""
    credits = [byline(s) for s in stories]
    number_width, page_width = 9.0, 10.0

    def render(pdf: FPDF, outline: list[OutlineSection]) -> None:
        pdf.set_xy(pdf.l_margin, pdf.t_margin)
        _lines(pdf, 9, _("Contents"), ("serif", "B", 18), INK)
        pdf.ln(5)
        width = pdf.epw - number_width - page_width
        for index, section in enumerate(s for s in outline if s.level == 0):
            link = pdf.add_link(page=section.page_number)
            top = pdf.get_y()
            pdf.set_font("sans", "B", 8)
            pdf.set_text_color(*ACCENT)
            pdf.cell(number_width, 5.5, f"{index + 1:02d}", link=link)
            pdf.set_font("serif", "", 11)
            pdf.set_text_color(*INK)
            lines = len(pdf.multi_cell(width, 5.5, section.name, dry_run=True, output="LINES"))
            pdf.multi_cell(
                width, 5.5, section.name, link=link, align=Align.L, new_x=XPos.RIGHT, new_y=YPos.TOP
            )
            pdf.set_font("sans", "", 9)
            pdf.cell(page_width, 5.5, str(section.page_number), align=Align.R, link=link)
            pdf.set_xy(pdf.l_margin + number_width, top + 5.5 * lines)
            credit = credits[index] if index < len(credits) else ""
            pdf.set_font("serif", "I", 8.5)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(width, 4.5, credit, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(3.5)

    return render


def anthology_pdf(collection: Collection) -> bytes:
    """The collection as a printable book: cover, contents, then each story from a new page."""
    workshop = collection.workshop

    def build(plain: bool) -> bytes:
        pdf = Book(workshop.title, workshop.language)
        pdf.set_title(workshop.title)
        names = dict.fromkeys(name for s in collection.stories for name in catalog.authors(s))
        pdf.set_author(", ".join(names) or "Plume")
        pdf.set_subject(workshop.question)
        pdf.footer_from = 2
        _cover(pdf, collection)
        pdf.add_page()
        pages = max(1, math.ceil(len(collection.stories) / 9))
        pdf.insert_toc_placeholder(_toc(collection.stories), pages=pages, allow_extra_pages=True)
        for number, story in enumerate(collection.stories, start=1):
            _write_story(pdf, story, plain, number, new_page=number > 1)  # the contents left a fresh page
        return bytes(pdf.output())

    return _with_fallback(build)
