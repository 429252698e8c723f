"""PDF downloads (fpdf2): one story, or a workshop's anthology with a cover, contents and a chapter per story.

A5 pages set in DejaVu Serif (embedded, so that every accent prints), headings in DejaVu Sans. The fonts
come from the system (PLUME_PDF_FONT_DIR, by default Debian's fonts-dejavu-core); without them the export
fails with a clear `PdfUnavailableError` instead of a PDF that drops characters. What DejaVu lacks comes
from fallback fonts, embedded (subset) only when a document uses them: emoji and symbols from Symbola
(fonts-symbola), Chinese and Japanese from Droid Sans Fallback (fonts-droid-fallback), Korean from Nanum
Gothic (fonts-nanum); `.ci/run` installs them. The body is the published,
sanitised HTML reshaped by `exports.offline_html` (images become their alt text: nothing is fetched) and
laid out by fpdf2's `write_html`; if that ever chokes on some markup, the whole document is made again
from the plain text of each paragraph, so that a download never fails for a story's content.

The layout is pure Python and grows with the stories: it runs off the event loop within the work budget
(`core.budget`), from plain values read on the loop first (`exports.StoryCopy`, `exports.AnthologyCopy`, the
font files): no database, request, configuration or translation lookup while a book is made.
"""

from __future__ import annotations

import functools
import math
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import lxml.html
from flask import current_app
from fpdf import FPDF, FontFace, TextStyle
from fpdf.enums import Align, XPos, YPos
from fpdf.html import HTML2FPDF
from fpdf.outline import OutlineSection
from fpdf.structure_tree import StructElem

from core import budget, rendering
from core.settings import settings
from stories.models import Story
from stories.reading.catalog import Collection
from stories.reading.exports import AnthologyCopy, StoryCopy, anthology_copy, offline_html, story_copy

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
#: Fonts for what DejaVu lacks, in the order they are tried: (family, file).
FALLBACK_FONTS: tuple[tuple[str, str], ...] = (
    ("emoji", "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),  # fonts-symbola
    ("cjk", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),  # fonts-droid-fallback
    ("hangul", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),  # fonts-nanum: Korean
)
#: Emoji presentation selectors and joiners: no font here draws them, and the emoji reads without them.
_INVISIBLE_IN_PDF = re.compile("[\ufe0e\ufe0f\u200d]")
_LABEL = re.compile(r"•|\d{1,4}[.)]")  # a list item's bullet or number, laid out on its own

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


FontFiles = dict[str, list[Path]]  # family → its files, in the order of STYLES


def _font_files() -> FontFiles:
    """The font files, checked (on the loop: it reads the configuration)."""
    folder = Path(settings().pdf_font_dir or FONT_DIR)
    files = {family: [folder / name for name in names] for family, names in FONTS.items()}
    missing = [str(path) for paths in files.values() for path in paths if not path.is_file()]
    if missing:
        raise PdfUnavailableError(
            f"PDF export needs the DejaVu fonts, missing: {', '.join(missing)}. Install them "
            "(Debian/Ubuntu: apt-get install fonts-dejavu-core) or set PLUME_PDF_FONT_DIR."
        )
    return files


@functools.cache
def _characters(path: str) -> frozenset[int]:
    """The code points that the font file has glyphs for (read once per process)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def fallbacks_for(texts: Iterable[str], fonts: FontFiles | None = None) -> list[tuple[str, str]]:
    """The fallback fonts that the texts need: those with a glyph for a character that DejaVu Sans lacks."""
    base = _characters(str((fonts or _font_files())["sans"][0]))
    wanted = {ord(c) for text in texts for c in _INVISIBLE_IN_PDF.sub("", text or "")} - base
    wanted = {c for c in wanted if c > 0x20}
    found = []
    for family, path in FALLBACK_FONTS:
        if wanted and Path(path).is_file() and wanted & _characters(path):
            found.append((family, path))
            wanted -= _characters(path)
    return found


def font_files() -> FontFiles:
    """The font files of every PDF, checked (read on the loop by a book made elsewhere)."""
    return _font_files()


def check_fonts() -> None:
    """Raise PdfUnavailableError unless every font the PDFs embed is installed."""
    _font_files()


#: The structure type of each HTML block, for the tagged PDF (screen readers read it as such).
STRUCTURE = {
    "p": "P", "h1": "H1", "h2": "H2", "h3": "H3", "h4": "H4", "h5": "H5", "h6": "H6",
    "li": "LI", "blockquote": "BlockQuote", "pre": "Code", "td": "TD", "th": "TH",
}  # fmt: skip


class _TaggedHTML(HTML2FPDF):
    """fpdf2's HTML layout, telling the book which block each line of text belongs to.

    fpdf2 lays a block's last lines out late (at its end tag, or only when the next block starts), so a
    block ends for the tagging at the next tag after its end tag, once fpdf2 has written what it held.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ending = 0  # blocks whose end tag came, still open until fpdf2 lays out their text

    def _end_pending(self) -> None:
        for _step in range(self._ending):
            self.pdf.end_block()
        self._ending = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        self._end_pending()
        if tag in STRUCTURE:
            self.pdf.begin_block(STRUCTURE[tag])

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        self._end_pending()
        if tag in STRUCTURE:
            self._ending += 1

    def feed(self, data: str) -> None:
        super().feed(data)  # lays out the last block
        self._end_pending()


class Book(FPDF):
    """An A5 page with Plume's fonts, a running footer (page number, the book's name) and no header.

    The PDF is tagged: every line of text is marked content of a structure element (H1…H6, P, LI,
    BlockQuote…, one per block and page) in reading order, the running footer is an artifact, and the
    document's language is set, so that screen readers read it as a document, not as loose glyphs.
    fpdf2 has no public API for that: the marks go through its private line rendering (seam
    `fpdf2-tagged-lines` of docs/private-seams.md, guarded by tests/test_private_seams.py).
    """

    HTML2FPDF_CLASS = _TaggedHTML

    def __init__(
        self,
        footer_text: str,
        language: str | None,
        texts: Iterable[str] = (),
        fonts: FontFiles | None = None,
    ) -> None:
        """`texts`: what the book will print, to embed the fallback fonts that it needs; `fonts`: the files
        read by `_font_files` (on the loop, when the book is made elsewhere)."""
        super().__init__(format=(148, 210), unit="mm")  # A5
        fonts = fonts or _font_files()
        self.unread_fonts = {  # read by `_load_font` when the document first uses them
            (family, style): path
            for family, paths in fonts.items()
            for style, path in zip(STYLES, paths, strict=True)
        }
        self._load_font("sans", "")
        extra = fallbacks_for(texts, fonts)
        for family, path in extra:
            self.add_font(family, "", path)
        # DejaVu Sans has the most glyphs, then the fallbacks for emoji and CJK.
        self.set_fallback_fonts(["sans", *(family for family, _path in extra)], exact_match=False)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=20)
        self.footer_text = footer_text
        self.footer_from = 1  # no footer on the pages before this one (the cover)
        self.set_lang(language)
        self.set_creator("Plume")
        self._blocks: list[tuple[int, str]] = []  # (block number, structure type), innermost last
        self._block_count = 0
        self._open: tuple[int, int, StructElem] | None = None  # (block number, page, element) being written
        self._mcids: dict[int, int] = {}  # page → next marked-content id
        self.struct_builder.next_mcid_for_page = self._next_mcid  # one counter for fpdf2's marks and ours

    def _next_mcid(self, page: int) -> int:
        mcid = self._mcids.get(page, 0)
        self._mcids[page] = mcid + 1
        return mcid

    def begin_block(self, structure: str) -> None:
        self._block_count += 1
        self._blocks.append((self._block_count, structure))

    def end_block(self) -> None:
        if self._blocks:
            self._blocks.pop()

    @contextmanager
    def block(self, structure: str = "P") -> Iterator[None]:
        """Lines written inside are one structure element (a heading, a paragraph) of the tagged PDF."""
        self.begin_block(structure)
        try:
            yield
        finally:
            self.end_block()

    def _element_for_line(self) -> tuple[StructElem, int]:
        """The structure element of the current block on this page (made on its first line), and the
        marked-content id of the line about to be written."""
        number, structure = self._blocks[-1] if self._blocks else (0, "P")
        mcid = self._next_mcid(self.page)
        if self._open is not None and self._open[:2] == (number, self.page) and number:
            element = self._open[2]
            element.k.append(mcid)
            spid = self.struct_builder.spid_per_page_number[self.page]
            self.struct_builder.struct_tree_root.parent_tree.nums[spid].append(element)
        else:
            element = self._add_marked_content(struct_type=f"/{structure}", mcid=mcid)
        self._open = (number, self.page, element)
        return element, mcid

    def _render_styled_text_line(
        self, text_line: Any, h: float | None = None, *args: Any, **kwargs: Any
    ) -> bool:
        text = "".join(fragment.string for fragment in text_line.fragments).strip()
        if self.in_footer or not text or _LABEL.fullmatch(text):  # a running footer, a bullet: not the text
            self._out("/Artifact BMC")
            try:
                return super()._render_styled_text_line(text_line, h, *args, **kwargs)
            finally:
                self._out("EMC")
        height = (
            h if h is not None else max((f.font_size for f in text_line.fragments), default=self.font_size)
        )
        broke = self._perform_page_break_if_need_be(height)  # before the mark: it must not span pages
        element, mcid = self._element_for_line()
        self._out(f"{element.s} <</MCID {mcid}>> BDC")
        try:
            return super()._render_styled_text_line(text_line, h, *args, **kwargs) or broke
        finally:
            self._out("EMC")

    def _load_font(self, family: str, style: str) -> None:
        """Read a font file the first time the document uses it (parsing all twelve costs half a second)."""
        path = self.unread_fonts.pop((family, style), None)
        if path is not None:
            self.add_font(family, style, str(path))

    def set_font(self, family: str | None = None, style: Any = "", size: float = 0) -> None:
        text = str(getattr(style, "style", style) or "").upper()
        self._load_font(
            (family or self.font_family).lower(), ("B" if "B" in text else "") + ("I" if "I" in text else "")
        )
        super().set_font(family, style, size)

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(_INVISIBLE_IN_PDF.sub("", text))

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


def _write_body(pdf: Book, story: StoryCopy, plain: bool) -> None:
    pdf.set_text_color(*INK)
    if plain:
        pdf.set_font("serif", "", BODY_SIZE)
        for paragraph in _plain_paragraphs(story.markdown):
            with pdf.block("P"):
                pdf.multi_cell(
                    0, BODY_SIZE * 0.5, paragraph, align=Align.J, new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
            pdf.ln(2.2)
        return
    pdf.set_font("serif", "", BODY_SIZE)
    pdf.write_html(
        _pdf_html(story.html),
        font_family="serif",
        tag_styles=_tag_styles(),
        li_prefix_color=ACCENT,
        ul_bullet_char="•",
        warn_on_tags_not_matching=False,
    )


def _lines(pdf: Book, height: float, text: str, font: tuple[str, str, float], color: tuple[int, int, int],
           width: float = 0, structure: str = "P", **kwargs: Any) -> None:  # fmt: skip
    """A left-aligned block of text in `font` and `color` (one `structure` element of the tagged PDF), the
    cursor left below it at the margin."""
    pdf.set_font(*font)
    pdf.set_text_color(*color)
    with pdf.block(structure):
        pdf.multi_cell(width, height, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT, **kwargs)


def _rule(pdf: FPDF, length: float, thickness: float) -> None:
    """A short accent rule at the left margin, under a title."""
    pdf.set_fill_color(*ACCENT)
    pdf.rect(pdf.l_margin, pdf.get_y(), length, thickness, style="F")


def _write_story(pdf: Book, story: StoryCopy, plain: bool, new_page: bool = True) -> None:
    """One story from the top of a page: its kicker, title (an outline entry), byline, then its text."""
    if new_page:
        pdf.add_page()
    _lines(pdf, 4, story.kicker.upper(), ("sans", "B", 7.5), ACCENT)
    pdf.ln(2)
    pdf.start_section(story.title, level=0)
    _lines(pdf, 8.5, story.title, ("serif", "B", 20), INK, structure="H1")
    pdf.ln(1.5)
    _lines(pdf, 5, story.byline, ("serif", "I", 10), SOFT)
    if story.themes:
        _lines(pdf, 4.5, " · ".join(story.themes), ("sans", "", 7.5), MUTED)
    pdf.ln(3)
    _rule(pdf, 14, 0.6)
    pdf.ln(4)
    _write_body(pdf, story, plain)


LAYOUT_FAILED = "PDF layout of the HTML failed; exporting the plain-text edition"


def _with_fallback(build: Callable[[bool], bytes], failures: list[str] | None = None) -> bytes:
    """`build(plain=False)`, or the plain-text edition when fpdf2's HTML layout fails on some markup. The
    failure is logged, or its traceback added to `failures` (off the loop, for the loop to log)."""
    try:
        return build(False)
    except PdfUnavailableError:
        raise
    except Exception:  # fpdf2's HTML layout refused something: the plain edition still reads well
        if failures is None:
            current_app.logger.exception(LAYOUT_FAILED)
        else:
            failures.append(traceback.format_exc())
        return build(True)


def _budgeted(make: Callable[[list[str]], bytes], what: str) -> bytes:
    """`make(failures)` off the loop within the work budget; a layout failure is logged once back."""
    failures: list[str] = []
    body = budget.run(lambda: make(failures), what)
    for failure in failures:
        current_app.logger.error("%s\n%s", LAYOUT_FAILED, failure)
    return body


def _texts(story: StoryCopy) -> list[str]:
    return [story.title, story.markdown, story.byline, story.workshop_title]


def story_pdf_of(story: StoryCopy, fonts: FontFiles, failures: list[str] | None = None) -> bytes:
    """One story as a PDF, with where it comes from at the end."""

    def build(plain: bool) -> bytes:
        pdf = Book(story.workshop_title, story.language, _texts(story), fonts)
        pdf.set_title(story.title)
        pdf.set_author(", ".join(story.authors) or story.byline)  # the anonymous credit when none
        _write_story(pdf, story, plain)
        pdf.ln(6)
        _lines(pdf, 4, story.source, ("sans", "", 7.5), MUTED)
        return bytes(pdf.output())

    return _with_fallback(build, failures)


def story_pdf(story: Story) -> bytes:
    """One story as a PDF, made off the loop within the work budget (may raise `OverBudgetError`)."""
    copy, fonts = story_copy(story), _font_files()
    return _budgeted(lambda failures: story_pdf_of(copy, fonts, failures), "PDF export")


# --- The anthology -----------------------------------------------------------------------------------


def _cover(pdf: Book, book: AnthologyCopy) -> None:
    pdf.add_page()
    pdf.set_fill_color(*PAPER)
    pdf.rect(0, 0, pdf.w, pdf.h, style="F")
    for radius, colour in ((78, ACCENT_SOFT), (48, ACCENT_SOFTER)):  # a rising sun, bottom right
        pdf.set_fill_color(*colour)
        pdf.circle(x=pdf.w - 22, y=pdf.h - 20, radius=radius, style="F")
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 9, style="F")
    pdf.set_y(46)
    _lines(pdf, 5, book.kicker.upper(), ("sans", "B", 8), ACCENT)
    pdf.ln(4)
    _lines(pdf, 11.5, book.title, ("serif", "B", 27), INK)
    if book.question:
        pdf.ln(5)
        _rule(pdf, 18, 0.7)
        pdf.ln(5)
        _lines(pdf, 6.5, book.question, ("serif", "I", 12.5), SOFT)
    pdf.set_y(-42)
    _lines(pdf, 5, f"{book.count} · {book.date}", ("sans", "", 8.5), MUTED)
    _lines(pdf, 7, "Plume", ("serif", "B", 12), INK)


def _toc(stories: Sequence[StoryCopy], title: str) -> Callable[[FPDF, list[OutlineSection]], None]:
    """The table of contents: each story's number, title, authors and page, all linked to the story."""
    credits = [s.byline for s in stories]
    number_width, page_width = 9.0, 10.0

    def render(pdf: FPDF, outline: list[OutlineSection]) -> None:
        pdf.set_xy(pdf.l_margin, pdf.t_margin)
        _lines(pdf, 9, title, ("serif", "B", 18), INK)
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


def anthology_pdf_of(book: AnthologyCopy, fonts: FontFiles, failures: list[str] | None = None) -> bytes:
    """The collection as a printable book: cover, contents, then each story from a new page."""

    def build(plain: bool) -> bytes:
        texts = [book.title, book.question, *(t for s in book.stories for t in _texts(s))]
        pdf = Book(book.title, book.language, texts, fonts)
        pdf.set_title(book.title)
        pdf.set_author(", ".join(book.authors) or "Plume")
        pdf.set_subject(book.question)
        pdf.footer_from = 2
        _cover(pdf, book)
        pdf.add_page()
        pages = max(1, math.ceil(len(book.stories) / 9))
        pdf.insert_toc_placeholder(_toc(book.stories, book.contents), pages=pages, allow_extra_pages=True)
        for number, story in enumerate(book.stories, start=1):
            _write_story(pdf, story, plain, new_page=number > 1)  # the contents left a fresh page
        return bytes(pdf.output())

    return _with_fallback(build, failures)


def anthology_pdf(collection: Collection) -> bytes:
    """The anthology as a PDF, made off the loop within the work budget (may raise `OverBudgetError`)."""
    return book_pdf(anthology_copy(collection))


def book_pdf(book: AnthologyCopy) -> bytes:
    """An anthology read on the loop (a workshop's, a consultation's) as a PDF, made off the loop."""
    fonts = _font_files()
    return _budgeted(lambda failures: anthology_pdf_of(book, fonts, failures), "PDF anthology export")
