"""The only place where user text becomes HTML (markdown, then bleach with an allowlist).

Two layers, so that one bug does not make an XSS:

1. python-markdown with raw HTML switched off: ``<tag>`` typed in a story is escaped and shown as text, never
   passed through. C0 control characters are removed first, which also keeps users from forging
   python-markdown's own ``\\x02…\\x03`` placeholders.
2. bleach on the result, with an explicit allowlist of the tags and attributes that our Markdown extensions
   emit, URL schemes limited to http, https and mailto (images: http and https only), every ``<a>`` given
   ``rel="nofollow noopener"``.

Neither python-markdown instances nor bleach Cleaners are thread-safe (bleach: "Create a separate cleaner per
thread!"), so a Markdown instance is built per call and each thread keeps its own Cleaner.

python-markdown is super-linear on some inputs (``"[" * 20_000`` takes minutes: upstream issue #798, left as
"someday-maybe"; so do 50,000 headings or table rows), and lists nested on one line raise RecursionError.
Rendering therefore runs under a CPU-time budget (``RENDER_CPU_SECONDS``, enforced by a watchdog thread, as
Zulip does around its python-markdown), and an overrun or any error falls back to escaped plain paragraphs:
a participant's text can neither hang a worker thread nor make publishing fail.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import logging
import math
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import bleach
import markdown
from bleach import html5lib_shim
from markdown.extensions import Extension, fenced_code, footnotes, sane_lists, smarty, tables
from markdown.extensions.attr_list import get_attrs_and_remainder
from markdown.preprocessors import Preprocessor
from markupsafe import Markup, escape

import concurrency

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "INLINE_TAGS",
    "plain_text",
    "reading_minutes",
    "render_inline",
    "render_markdown",
    "render_message",
    "summary",
    "word_count",
]

log = logging.getLogger(__name__)

WORDS_PER_MINUTE = 200
#: CPU seconds a render may take before it falls back to plain paragraphs (a plain 200 KB story needs ~1.5 s).
RENDER_CPU_SECONDS = 5.0

#: Everything our Markdown extensions produce, nothing else.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "ul", "ol", "li", "strong", "em", "code", "pre", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
        "sup", "div",  # footnotes
    }
)  # fmt: skip
ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})
IMAGE_PROTOCOLS: frozenset[str] = frozenset({"http", "https"})
#: render_inline: the inline Markdown of a title or a broadcast message.
INLINE_TAGS: frozenset[str] = frozenset({"em", "strong", "code"})
#: render_message: a comment or a chat message (the inline subset, web links and line breaks).
MESSAGE_TAGS: frozenset[str] = INLINE_TAGS | {"a", "br"}

# Attribute values are checked, not only names: classes and ids come from our extensions only.
_CLASS_VALUES: dict[str, re.Pattern[str]] = {
    "a": re.compile(r"footnote-(?:ref|backref)"),
    "div": re.compile(r"footnote"),
    "code": re.compile(r"language-[\w#.+-]{1,40}"),
}
_FOOTNOTE_ID = re.compile(r"fn(?:ref)?\d*:\S{1,100}")
_ALIGN = frozenset({"left", "center", "right"})
# What bleach strips before it reads a URL's scheme: backticks, whitespace, controls, non-ASCII.
_URL_JUNK = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+|[^\x00-\x7f]")
_C0_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _url_scheme(value: str) -> str | None:
    """The scheme a browser would see in an attribute value (entities decoded), lowercased; None if none."""
    normalized = _URL_JUNK.sub("", html5lib_shim.convert_entities(value)).lower()
    try:
        return urlsplit(normalized).scheme or None
    except ValueError:
        return "invalid"


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """bleach attribute filter: which attribute, on which tag, with which value."""
    if tag == "a":
        if name in ("href", "title"):
            return True
    elif tag == "img":
        if name == "src":
            return _url_scheme(value) in IMAGE_PROTOCOLS
        if name in ("alt", "title"):
            return True
    elif tag == "ol":
        return name == "start" and value.isascii() and value.isdigit() and len(value) <= 9
    elif tag in ("th", "td"):
        return name == "align" and value in _ALIGN
    elif tag in ("sup", "li"):
        return name == "id" and _FOOTNOTE_ID.fullmatch(value) is not None
    if name == "class" and tag in _CLASS_VALUES:
        return all(_CLASS_VALUES[tag].fullmatch(c) for c in value.split())
    return False


ALLOWED_ATTRIBUTES: Callable[[str, str, str], bool] = _allow_attribute


class _LinkRelFilter(html5lib_shim.Filter):  # type: ignore[name-defined,misc]  # bleach's stubs omit it
    """Runs after sanitising: every ``<a>`` gets ``rel="nofollow noopener"`` and no ``target``."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = {k: v for k, v in (token.get("data") or {}).items() if k != (None, "target")}
                attrs[(None, "rel")] = "nofollow noopener"
                token["data"] = attrs
            yield token


class _NoRawHtml(Extension):
    """Treat raw HTML in Markdown as text: it is escaped by the serializer instead of passed through."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - python-markdown's API
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


class _InlineOnly(Extension):
    """Keep only paragraphs and the inline syntax for code, emphasis and escapes (no links, no blocks)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - python-markdown's API
        # An allowlist, so a syntax added upstream stays off; Registry has no public list of names
        # (seam `markdown-registry` of docs/private-seams.md).
        for name in list(md.parser.blockprocessors._data):  # type: ignore[attr-defined]  # private
            if name not in ("empty", "paragraph"):
                md.parser.blockprocessors.deregister(name)
        for name in list(md.inlinePatterns._data):  # type: ignore[attr-defined]  # private
            if name not in ("backtick", "escape", "entity", "em_strong"):
                md.inlinePatterns.deregister(name)


# --- hardening python-markdown -------------------------------------------------------------------------
# The CPU budget below interrupts Python code, but not a long regex search running in C. Upstream has two
# searches that are quadratic within one call; these classes bound them and render normal text the same.

# A fence opener as python-markdown's fenced_code reads it (one line), and a closing fence.
_FENCE_OPENER = re.compile(
    r"""(?P<fence>~{3,}|`{3,})[ ]*"""
    r"""(?:\{(?P<attrs>[^\n]*)\}|(?:\.?[\w#.+-]*[ ]*)?(?:hl_lines=(?P<q>["'])[^\n]*?(?P=q)[ ]*)?)"""
)
_FENCE_CLOSER = re.compile(r"(~{3,}|`{3,})[ ]*")


def _one_line_hl_lines(regex: re.Pattern[str]) -> re.Pattern[str]:
    """Upstream's fenced-block regex with ``hl_lines="…"`` kept on the opening line (it may span lines)."""
    unbounded, bounded = "(?P<hl_lines>.*?)", "(?P<hl_lines>[^\\n]*?)"
    if unbounded not in regex.pattern:
        raise RuntimeError("python-markdown's fenced-code regex changed: review core/rendering.py")
    return re.compile(regex.pattern.replace(unbounded, bounded), regex.flags)


class _FencedCode(fenced_code.FencedBlockPreprocessor):
    FENCED_BLOCK_RE = _one_line_hl_lines(fenced_code.FencedBlockPreprocessor.FENCED_BLOCK_RE)


class _UnclosedFences(Preprocessor):
    """Indent by one space the fence openers that no closing fence follows.

    They are not code blocks either way, but python-markdown's regex rescans the rest of the document for
    each of them, all in one search call. The space makes the regex skip them and renders the same.
    """

    def run(self, lines: list[str]) -> list[str]:
        closers: dict[str, list[int]] = {}
        for i, line in enumerate(lines):
            if m := _FENCE_CLOSER.fullmatch(line):
                closers.setdefault(m[1], []).append(i)
        out, i = list(lines), 0
        while i < len(lines):  # the order in which the fenced-code regex would see the lines
            m = _FENCE_OPENER.fullmatch(lines[i])
            if m is None:
                i += 1
                continue
            after = closers.get(m["fence"], [])
            k = bisect.bisect_right(after, i)
            if k < len(after) and not (m["attrs"] is not None and get_attrs_and_remainder(m["attrs"])[1]):
                i = after[k] + 1  # a code block: its lines are content
            else:
                out[i] = " " + lines[i]
                i += 1
        return out


_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S")
_INTERRUPTING_ITEM = re.compile(
    r" {0,3}(?:[-*+]|1[.)])[ \t]+\S"
)  # CommonMark: what may interrupt a paragraph


class _ListsAfterText(Preprocessor):
    """A list written right under a line of text is a list (as people type it, and as CommonMark reads it).

    python-markdown needs a blank line before a list; this adds it before a bullet or a ``1.`` that follows
    a line of text. It runs after fenced code blocks are set aside, so code is left as it is.
    """

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for line in lines:
            previous = out[-1] if out else ""
            if (
                _INTERRUPTING_ITEM.match(line)
                and previous.strip()
                and not _LIST_ITEM.match(previous)
                and not previous.startswith((" ", "\t"))  # a list item's continuation, or code
            ):
                out.append("")
            out.append(line)
        return out


class _FencedCodeExtension(fenced_code.FencedCodeExtension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - python-markdown's API
        super().extendMarkdown(md)
        md.preprocessors.register(_FencedCode(md, self.getConfigs()), "fenced_code_block", 25)
        md.preprocessors.register(_UnclosedFences(md), "plume_unclosed_fences", 27)
        md.preprocessors.register(_ListsAfterText(md), "plume_lists_after_text", 22)


class _FootnoteBlockProcessor(footnotes.FootnoteBlockProcessor):
    """Footnote definitions whose label is one line of at most 100 characters (upstream: unbounded)."""

    RE = re.compile(r"^[ ]{0,3}\[\^([^\]\n]{0,100})\]:[ ]*(.*)$", re.MULTILINE)


class _FootnoteExtension(footnotes.FootnoteExtension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - python-markdown's API
        super().extendMarkdown(md)
        md.parser.blockprocessors.register(_FootnoteBlockProcessor(self), "footnote", 17)
        md.inlinePatterns.register(
            footnotes.FootnoteInlineProcessor(r"\[\^([^\]\n]{0,100})\]", self), "footnote", 175
        )


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            tables.TableExtension(use_align_attribute=True),
            _FootnoteExtension(),
            smarty.SmartyExtension(),
            sane_lists.SaneListExtension(),
            _FencedCodeExtension(),
            _NoRawHtml(),  # last, so that no extension registers an HTML pattern after it
        ],
        output_format="html",
    )


def _inline_markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[smarty.SmartyExtension(), _NoRawHtml(), _InlineOnly()], output_format="html"
    )


_local = threading.local()


def _cleaner(name: str) -> bleach.Cleaner:
    """This thread's Cleaner ``name`` ("block" or "inline"), created on first use."""
    cleaner = getattr(_local, name, None)
    if cleaner is None:
        if name == "block":
            cleaner = bleach.Cleaner(
                tags=ALLOWED_TAGS,
                attributes=ALLOWED_ATTRIBUTES,
                protocols=ALLOWED_PROTOCOLS,
                strip=True,
                strip_comments=True,
                filters=[_LinkRelFilter],
            )
        elif name == "message":
            cleaner = bleach.Cleaner(
                tags=MESSAGE_TAGS,
                attributes={"a": ["href", "rel"]},
                protocols={"http", "https"},
                strip=True,
                strip_comments=True,
            )
        else:
            cleaner = bleach.Cleaner(tags=INLINE_TAGS, attributes={}, protocols=set(), strip=True)
        setattr(_local, name, cleaner)
    return cleaner


# --- CPU budget ----------------------------------------------------------------------------------------


class _RenderTimeout(BaseException):
    """Raised inside a render that used up its CPU budget (BaseException: no library code swallows it)."""


_REARM_SECONDS = 0.1
#: How often a thread is interrupted past its budget before the watchdog gives up on it. A block that ended
#: without taking itself off the watch (a timeout delivered in the few bytecodes between the block's end and
#: `unwatch`, the frame then kept alive by a traceback) is interrupted this often at most, never for ever.
_MAX_RAISES = 10
_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


def _thread_clock(tid: int) -> Callable[[], float]:
    """CPU time of thread ``tid`` (readable from another thread) where the OS offers it, else wall time."""
    try:
        clock_id = time.pthread_getcpuclockid(tid)
    except (AttributeError, OSError):
        return time.monotonic
    return lambda: time.clock_gettime(clock_id)


@dataclass
class _Watch:
    """One thread's budget: its CPU clock, when it is over, and how many times it was interrupted."""

    clock: Callable[[], float]
    deadline: float
    raised: int = 0


class _Watchdog:
    """A native thread that interrupts, with an asynchronous exception, renders over their budget.

    It runs on an OS thread even under gevent (where renders run in a native thread too, `off_loop`), so it
    keeps its watch while a render holds the interpreter.
    """

    def __init__(self) -> None:
        self._after_fork()
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        self.lock = concurrency.native_lock()
        self.deadlines: dict[int, _Watch] = {}
        self.started = False

    def watch(self, tid: int, clock: Callable[[], float], deadline: float) -> None:
        with self.lock:
            self.deadlines[tid] = _Watch(clock, deadline)
            if not self.started:
                self.started = True
                concurrency.start_native_thread(self._run)

    def unwatch(self, tid: int) -> None:
        with self.lock:
            self.deadlines.pop(tid, None)
            _clear_async_exc(tid, None)  # a timeout raised just now but not delivered yet must not leak out

    def _run(self) -> None:
        while True:
            concurrency.native_sleep(0.02)
            with self.lock:
                for tid, watch in list(self.deadlines.items()):
                    try:
                        overrun = watch.clock() > watch.deadline
                    except OSError:  # pragma: no cover - the thread is gone
                        del self.deadlines[tid]
                        continue
                    if not overrun:
                        continue
                    if watch.raised >= _MAX_RAISES:  # its block is long gone: leave the thread be
                        del self.deadlines[tid]
                        _clear_async_exc(tid, None)
                        continue
                    # Raised again later if it lands where Python swallows it (a gc callback, a __del__),
                    # until `unwatch` (at the block's end) takes the thread off the list.
                    watch.raised += 1
                    watch.deadline = watch.clock() + _REARM_SECONDS
                    _set_async_exc(tid, _RenderTimeout)


_watchdog = _Watchdog()


class _CpuBudget:
    """``with _CpuBudget(seconds):`` raises _RenderTimeout in the block once this thread has spent
    ``seconds`` of CPU in it. A class, not a generator: its `__exit__` takes the thread off the watch at its
    first call, where contextlib's would first run a few bytecodes a late timeout could interrupt."""

    __slots__ = ("seconds", "tid")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.tid = concurrency.native_ident()

    def __enter__(self) -> None:
        clock = _thread_clock(self.tid)
        _watchdog.watch(self.tid, clock, clock() + self.seconds)

    def __exit__(self, *exc: object) -> None:
        _unwatch(self.tid)


_cpu_budget = _CpuBudget


def _unwatch(tid: int) -> None:
    """Take the thread off the watch, even if a timeout raised just as the block ended is delivered inside
    `unwatch` itself: interrupted, it would leave the thread watched, and the watchdog would raise in it
    every `_REARM_SECONDS` of its CPU (up to `_MAX_RAISES` times). Once `unwatch` has returned, no timeout
    is pending (it clears them under the watchdog's lock)."""
    while True:
        try:
            _watchdog.unwatch(tid)
        except _RenderTimeout:
            continue
        return


#: For other CPU-heavy work under the same watchdog (`core.budget`).
cpu_budget = _cpu_budget
BudgetExceeded = _RenderTimeout


def _guarded(render: Callable[[], str], fallback: Callable[[], str], what: str) -> Markup:
    """``render()`` within the CPU budget; ``fallback()`` if it overruns or fails."""

    def budgeted() -> str:  # on the thread that renders (a native one under gevent)
        try:
            with _cpu_budget(RENDER_CPU_SECONDS):
                return render()
        except _RenderTimeout:
            _local.__dict__.clear()  # do not reuse a Cleaner interrupted in the middle of a parse
            raise

    try:
        html = concurrency.off_loop(budgeted)
    except _RenderTimeout:
        log.warning("%s: over %.1f s of CPU, rendered as plain text", what, RENDER_CPU_SECONDS)
        html = fallback()
    except Exception:
        log.exception("%s failed, rendered as plain text", what)
        html = fallback()
    return Markup(html)  # noqa: S704 - bleach's output or our own escaping


# --- public API ----------------------------------------------------------------------------------------


def clean_source(text: str) -> str:
    """Normalise newlines, drop C0 controls but tab and newline, replace lone surrogates."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SURROGATES.sub("\ufffd", _C0_CONTROLS.sub("", text))


def _plain_paragraphs(source: str) -> str:
    """Fallback HTML: escaped text, paragraphs at blank lines, line breaks kept."""
    paragraphs = (p.strip("\n") for p in re.split(r"\n[ \t]*\n", source))
    return "\n".join(
        "<p>" + "<br>\n".join(str(escape(line)) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p.strip()
    )


@functools.lru_cache(maxsize=16)
def _render_source(source: str) -> Markup:
    """Cached: publishing asks for the HTML, plain text, summary and word count of the same text at once."""
    md, cleaner = _markdown(), _cleaner("block")
    return _guarded(
        lambda: cleaner.clean(md.convert(source)), lambda: _plain_paragraphs(source), "render_markdown"
    )


def render_markdown(text: str) -> Markup:
    """Markdown → sanitised HTML, safe to output in a template as is."""
    source = clean_source(text or "")
    return _render_source(source) if source.strip() else Markup("")


def render_inline(text: str) -> Markup:
    """One line (a title, a broadcast) → HTML with only ``*em*``, ``**strong**`` and ``` `code` ```."""
    source = " ".join(clean_source(text or "").split("\n")).strip()
    if not source:
        return Markup("")
    md, cleaner = _inline_markdown(), _cleaner("inline")

    def render() -> str:
        html = md.convert(source).removeprefix("<p>").removesuffix("</p>")
        return cleaner.clean(html).strip()

    return _guarded(render, lambda: str(escape(source)), "render_inline")


#: A web link in a message: http(s), up to white space or a character that cannot end a URL in prose.
_MESSAGE_LINK = re.compile(r"https?://[^\s<>\"'`\x00-\x20\x7f]{1,2000}", re.IGNORECASE)
_LINK_TRAILER = ".,;:!?)]}»”’"


def _message_line(line: str) -> str:
    """One line of a message: inline Markdown between the links, each link an ``<a>`` to itself."""
    md, cleaner = _inline_markdown(), _cleaner("inline")
    parts, last = [], 0
    for match in _MESSAGE_LINK.finditer(line):
        url = match.group(0).rstrip(_LINK_TRAILER)
        end = match.start() + len(url)
        if end <= last or urlsplit(url).netloc == "":
            continue
        parts.append(_inline_html(md, cleaner, line[last : match.start()]))
        href = escape(url)
        parts.append(f'<a href="{href}" rel="nofollow noopener noreferrer">{href}</a>')
        last = end
    parts.append(_inline_html(md, cleaner, line[last:]))
    return "".join(parts)


def _inline_html(md: markdown.Markdown, cleaner: bleach.Cleaner, text: str) -> str:
    if not text.strip():
        return str(escape(text))
    md.reset()
    html = md.convert(text).removeprefix("<p>").removesuffix("</p>")
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return str(escape(lead)) + cleaner.clean(html).strip() + str(escape(trail))


def render_message(text: str) -> Markup:
    """A comment or chat message → HTML: plain text with line breaks, web links, ``*em*``, ``**strong**``
    and ``` `code` ```; nothing else gets through (a second, stricter bleach pass checks the result)."""
    source = clean_source(text or "").strip()
    if not source:
        return Markup("")

    def render() -> str:
        html = "<br>".join(_message_line(line) for line in source.split("\n"))
        return _cleaner("message").clean(html)

    def fallback() -> str:
        return "<br>".join(str(escape(line)) for line in source.split("\n"))

    return _guarded(render, fallback, "render_message")


class _TextExtractor(HTMLParser):
    """Text of sanitised HTML: blocks separate words; footnote markers and backlinks are left out."""

    _BLOCKS = frozenset(ALLOWED_TAGS - {"strong", "em", "code", "a", "img", "sup"})
    _VOID = frozenset({"br", "hr", "img"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        footnote_mark = tag == "sup" and attributes.get("id")
        backlink = "footnote-backref" in (attributes.get("class") or "").split()
        if (self._skip or footnote_mark or backlink) and tag not in self._VOID:
            self._skip.append(tag)
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


# Breaking whitespace; no-break spaces (French « », ; : ! ?) are kept as they are.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def plain_text(text: str) -> str:
    """Markdown → readable text on one line (search index, summaries, feeds, word counts)."""
    extractor = _TextExtractor()
    extractor.feed(str(render_markdown(text)))
    extractor.close()
    return _BREAKING_SPACE.sub(" ", "".join(extractor.parts)).strip()


# A word: letters or digits, possibly joined by apostrophes or hyphens inside it.
_WORD = re.compile(r"[^\W_]+(?:['’\-‐‑][^\W_]+)*")


def _count_words(plain: str) -> int:
    return sum(1 for _ in _WORD.finditer(unicodedata.normalize("NFC", plain)))


def word_count(text: str) -> int:
    """Words in the text as published.

    A word is a run of letters or digits, in any script; an apostrophe or a hyphen inside it does not split
    it, so "l'avenir", "l’avenir", "aujourd'hui" and "peut-être" are one word each. Punctuation and symbols
    are not words; scripts written without spaces (Chinese, Japanese…) count one word per run.
    """
    return _count_words(plain_text(text))


def reading_minutes(text: str) -> int:
    """Minutes to read at 200 words a minute, rounded up: 0 for no words, at least 1 otherwise."""
    return math.ceil(word_count(text) / WORDS_PER_MINUTE)


_TRAILING = " \u00a0\u2007\u202f,;:.…—–-«“‘("


def summary(text: str, limit: int = 240) -> str:
    """Plain-text excerpt of at most ``limit`` characters, ended with "…" when cut, never inside a word."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    plain = plain_text(text)
    if len(plain) <= limit:
        return plain
    end = limit - 1  # room for the ellipsis
    for word in _WORD.finditer(plain):
        if word.start() >= end:
            break
        if word.end() > end:
            end = word.start() or end  # a single word longer than the limit is cut anyway
            break
    return plain[:end].rstrip(_TRAILING) + "…"
