"""core.rendering: hostile Markdown renders inert, ordinary Markdown renders well, text helpers behave."""

from __future__ import annotations

import html
import re
import threading
import time
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from core import rendering
from core.rendering import plain_text, reading_minutes, render_inline, render_markdown, summary, word_count
from tests.stories.xss_corpus import XSS_CORPUS

# --- the safety checker ------------------------------------------------------------------------------------

FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "form",
        "input", "button", "textarea", "select", "meta", "base", "link", "template", "noscript", "video",
        "audio", "source", "details", "body", "html", "head", "isindex",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data", "background", "cite"}
)
SAFE_SCHEMES = ("http:", "https:", "mailto:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\ufeff\s]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def unsafe_url(value: str) -> bool:
    """True unless the URL is http(s)/mailto, a fragment, a path or relative (no scheme at all).

    ``value`` is the attribute as a browser reads it: HTMLParser has already decoded its character references
    (decoding them a second time would be wrong: ``&amp;#106;`` is the text "&#106;", not "j").
    """
    url = _INVISIBLE.sub("", value).lower()
    if url.startswith(("#", "/", *SAFE_SCHEMES)):
        return False
    if url.startswith(("javascript:", "vbscript:", "data:", "livescript:")):
        return True
    return _SCHEME.match(url) is not None


class SafetyChecker(HTMLParser):
    """Collects every reason why a piece of HTML could run script, load active content or restyle the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in ("style", "srcdoc", "http-equiv"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None and unsafe_url(value):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if tag == "img" and name == "src" and not (value or "").lower().startswith(("http:", "https:")):
                self.problems.append(f"image src {value!r}")
            if tag == "a" and name == "target":
                self.problems.append("target= on <a>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data!r}")


def problems_in(markup: str) -> list[str]:
    checker = SafetyChecker()
    checker.feed(markup)
    checker.close()
    return checker.problems


def assert_safe(source: str, output: str) -> None:
    problems = problems_in(output)
    assert not problems, f"{source!r}\n→ {output!r}\n{problems}"


@pytest.mark.parametrize(
    "bad",
    [
        "<script>alert(1)</script>",
        "<SVG><p>x</p></SVG>",
        '<img src="x.png" onerror="alert(1)">',
        '<p style="color:red">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="vbscript:x">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<a href="https://example.org" target="_blank">x</a>',
        '<img src="data:image/png;base64,AAAA">',
        '<img src="/relative.png">',
        "<meta http-equiv=refresh content=0>",
        "<!-- hidden -->",
        "<iframe></iframe>",
        "<form action=/x></form>",
    ],
)
def test_the_checker_catches_what_it_looks_for(bad: str) -> None:
    assert problems_in(bad)


@pytest.mark.parametrize(
    "good",
    [
        '<p><a href="https://example.org/a?b=1#c" rel="nofollow noopener">x</a></p>',
        '<a href="mailto:a@example.org">x</a> <a href="#fn:1">1</a> <a href="/stories/1">s</a>',
        '<a href="relative/page">x</a> <img src="https://example.org/a.png" alt="">',
    ],
)
def test_the_checker_accepts_plain_links_and_images(good: str) -> None:
    assert problems_in(good) == []


# --- hostile input -----------------------------------------------------------------------------------------


def test_the_corpus_is_large_enough() -> None:
    assert len(XSS_CORPUS) >= 50
    assert len(set(XSS_CORPUS)) == len(XSS_CORPUS)


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_hostile_markdown_renders_inert(source: str) -> None:
    output = render_markdown(source)
    assert isinstance(output, Markup)
    assert_safe(source, str(output))


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_hostile_text_is_inert_inline_too(source: str) -> None:
    output = str(render_inline(source))
    assert_safe(source, output)
    assert set(re.findall(r"</?(\w+)", output)) <= {"em", "strong", "code"}


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_hostile_text_gives_plain_text(source: str) -> None:
    text = plain_text(source)
    assert "\n" not in text
    assert "\x00" not in text
    assert "&lt;" not in text  # entities are decoded: this is text, escaped again wherever it is output
    assert word_count(source) >= 0


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_the_sanitiser_alone_stops_raw_html(source: str) -> None:
    """Second layer: even if Markdown let raw HTML through, bleach's allowlist would stop it."""
    assert_safe(source, rendering._cleaner("block").clean(source))


def test_the_sanitiser_strips_comments_and_unknown_attributes() -> None:
    output = rendering._cleaner("block").clean(
        '<!-- x --><p style="color:red" onclick="y" id="z" class="w">t</p>'
        '<code class="language-py x">c</code>'
    )
    assert output == "<p>t</p><code>c</code>"


def test_raw_html_is_shown_as_text() -> None:
    output = str(render_markdown("Un <b>gras</b> et <em>italique</em> <!-- caché -->"))
    assert "&lt;b&gt;gras&lt;/b&gt;" in output
    assert "<b>" not in output
    assert "<em>" not in output
    assert "<!--" not in output


def test_markdown_placeholders_cannot_be_forged() -> None:
    source = "```\n<script>alert(1)</script>\n```\n\n\x02wzxhzdk:0\x03 and \x02klzzwxh:0\x03"
    output = str(render_markdown(source))
    assert output.count("alert(1)") == 1  # the stashed code block is not pulled in a second time
    assert "wzxhzdk:0" in output


def test_control_characters_are_stripped() -> None:
    output = str(render_markdown("a\x00b\x01c\x1bd\x7fe\tf\r\ng"))
    assert "abcde" in output
    assert "\x00" not in output
    assert "\x1b" not in output
    assert "\r" not in output


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[x](https://example.org/a)", "https://example.org/a"),
        ("[x](http://example.org)", "http://example.org"),
        ("[x](mailto:plume@example.org)", "mailto:plume@example.org"),
        ("[x](/stories/1)", "/stories/1"),
        ("[x](#section)", "#section"),
        ("<https://example.org/auto>", "https://example.org/auto"),
        ("[x][r]\n\n[r]: https://example.org/ref", "https://example.org/ref"),
    ],
)
def test_allowed_links_keep_their_href_and_get_rel(source: str, href: str) -> None:
    output = str(render_markdown(source))
    anchors = re.findall(r"<a [^>]*>", output)
    assert len(anchors) == 1
    assert f'href="{href}"' in anchors[0]
    assert 'rel="nofollow noopener"' in anchors[0]
    assert "target=" not in anchors[0]


@pytest.mark.parametrize(
    "source",
    ["[x](javascript:alert(1))", "[x](data:text/html,x)", "[x](vbscript:x)", "[x](ftp://example.org)"],
)
def test_other_schemes_lose_their_href_but_keep_the_text(source: str) -> None:
    output = str(render_markdown(source))
    assert "href" not in output
    assert ">x</a>" in output


def test_images_need_an_http_or_https_source() -> None:
    output = str(
        render_markdown("![ok](https://example.org/a.png) ![d](data:image/png;base64,AA) ![r](a.png)")
    )
    assert output.count("<img") == 3
    assert output.count("src=") == 1
    assert 'src="https://example.org/a.png"' in output
    assert 'alt="ok"' in output
    assert 'alt="d"' in output


# --- ordinary Markdown -------------------------------------------------------------------------------------


def test_headings_paragraphs_and_emphasis() -> None:
    output = str(render_markdown("# Titre\n\n## Partie\n\nUn *mot* et **deux**.\n\n---\n\nFin."))
    assert "<h1>Titre</h1>" in output
    assert "<h2>Partie</h2>" in output
    assert "<p>Un <em>mot</em> et <strong>deux</strong>.</p>" in output
    assert "<hr>" in output


def test_lists_and_sane_lists() -> None:
    output = str(render_markdown("- un\n- deux\n\n3. trois\n4. quatre\n\n> cité"))
    assert "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>" in output
    assert '<ol start="3">' in output
    assert "<blockquote>" in output


def test_tables() -> None:
    output = str(render_markdown("| Nom | Âge |\n|:----|----:|\n| Léa | 42 |"))
    assert "<table>" in output
    assert "<thead>" in output
    assert "<tbody>" in output
    assert '<th align="left">Nom</th>' in output
    assert '<td align="right">42</td>' in output
    assert "style=" not in output


def test_footnotes() -> None:
    output = str(render_markdown("Un récit[^1] et un autre[^note].\n\n[^1]: Première.\n[^note]: Seconde."))
    assert (
        '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1" rel="nofollow noopener">1</a></sup>' in output
    )
    assert '<div class="footnote">' in output
    assert '<li id="fn:note">' in output
    assert 'class="footnote-backref" href="#fnref:1"' in output


def test_fenced_code_keeps_its_language_and_escapes_its_content() -> None:
    output = str(render_markdown("```python\nif a < b:\n    print('<b>')\n```"))
    assert '<pre><code class="language-python">' in output
    assert "if a &lt; b:" in output
    assert "&lt;b&gt;" in output


def test_unclosed_fences_render_as_text() -> None:
    output = str(render_markdown("```python\nnot *code*\n\n~~~\nstill *text*"))
    assert "<pre>" not in output
    assert "<em>code</em>" in output
    assert "<em>text</em>" in output


def test_a_fence_line_inside_a_code_block_is_content() -> None:
    output = str(render_markdown("````\n```python\nx\n````"))
    assert "<pre><code>```python\nx\n</code></pre>" in output


def test_smart_quotes_and_french_typography() -> None:
    source = "« Bonjour », dit-elle. \"Hello\" -- l'avenir... Élise rêvait d'un été où l'œuvre naîtrait."
    output = html.unescape(str(render_markdown(source)))
    assert "« Bonjour », dit-elle." in output
    assert "“Hello”" in output
    assert "l’avenir" in output
    assert "–" in output
    assert "…" in output
    assert "Élise rêvait d’un été où l’œuvre naîtrait." in output


def test_non_breaking_spaces_survive() -> None:
    output = html.unescape(str(render_markdown("« Vraiment\u202f? » Oui\u00a0!")))
    assert "Vraiment\u202f?" in output
    assert "Oui\u00a0!" in output


def test_empty_and_blank_input() -> None:
    assert render_markdown("") == Markup("")
    assert render_markdown("  \n\n\t") == Markup("")
    assert render_inline("") == Markup("")


def test_output_is_markup_and_not_escaped_again_by_jinja() -> None:
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string("{{ body }}")
    assert template.render(body=render_markdown("*x*")) == "<p><em>x</em></p>"


# --- render_inline -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Un *avenir* **désirable** et `code`",
            "Un <em>avenir</em> <strong>désirable</strong> et <code>code</code>",
        ),
        ("# 2040", "# 2040"),
        ("2040. Le futur", "2040. Le futur"),
        ("- liste", "- liste"),
        ("[lien](https://example.org)", "[lien](https://example.org)"),
        ("a <b>x</b> & b", "a &lt;b&gt;x&lt;/b&gt; &amp; b"),
        ("deux\nlignes", "deux lignes"),
        ("snake_case_name", "snake_case_name"),
    ],
)
def test_render_inline(source: str, expected: str) -> None:
    output = render_inline(source)
    assert isinstance(output, Markup)
    assert str(output) == expected


def test_render_inline_keeps_smart_quotes() -> None:
    assert html.unescape(str(render_inline("Le monde d'après"))) == "Le monde d’après"


# --- plain text and counts ---------------------------------------------------------------------------------


def test_plain_text() -> None:
    source = "# Titre\n\nUn *récit* avec [un lien](https://example.org) &amp; une note[^1].\n\n- a\n- b"
    source += "\n\n[^1]: Note."
    assert plain_text(source) == "Titre Un récit avec un lien & une note. a b Note."
    assert plain_text("") == ""
    assert plain_text("<b>x</b>") == "<b>x</b>"  # raw HTML was text all along


def test_plain_text_of_tables_and_code_separates_words() -> None:
    assert plain_text("| a | b |\n|---|---|\n| c | d |") == "a b c d"
    assert plain_text("```\nx = 1\ny = 2\n```") == "x = 1 y = 2"


@pytest.mark.parametrize(
    ("source", "count"),
    [
        ("", 0),
        ("   \n\n ", 0),
        ("Un deux trois", 3),
        ("l'avenir", 1),
        ("l’avenir", 1),
        ("L'avenir d'aujourd'hui", 2),
        ("Peut-être demain, en 2040 !", 4),
        ("**Gras** et [lien](https://example.org/un/deux/trois)", 3),
        ("Élise, Œdipe, Ça — ça ; ça : « ça » ?", 6),
        ("e\u0301te\u0301", 1),  # decomposed accents
        ("Ελπίδα και мечта", 3),
        ("# Titre\n\n- un\n- deux", 3),
        ("--- ... !!! ***", 0),
    ],
)
def test_word_count(source: str, count: int) -> None:
    assert word_count(source) == count


@pytest.mark.parametrize(("words", "minutes"), [(0, 0), (1, 1), (199, 1), (200, 1), (201, 2), (1000, 5)])
def test_reading_minutes(words: int, minutes: int) -> None:
    assert reading_minutes(" ".join(["mot"] * words)) == minutes


def test_summary_of_short_text_is_the_text() -> None:
    assert summary("Un *court* récit.") == "Un court récit."
    assert summary("") == ""


def test_summary_cuts_between_words() -> None:
    source = " ".join(f"mot{i}" for i in range(200))
    excerpt = summary(source, 50)
    assert excerpt.endswith("…")
    assert len(excerpt) <= 50
    words = excerpt.removesuffix("…").split(" ")
    assert words == [f"mot{i}" for i in range(len(words))]


@pytest.mark.parametrize(
    ("source", "limit", "expected"),
    [
        ("Un, deux, trois, quatre", 16, "Un, deux, trois…"),
        ("Un, deux, trois, quatre", 15, "Un, deux…"),
        ("Il dit : « Bonjour\u202f! » puis partit", 20, "Il dit : « Bonjour…"),
        ("L'avenir d'aujourd'hui est là", 15, "L’avenir…"),
        ("anticonstitutionnellement", 10, "anticonst…"),
    ],
)
def test_summary_never_cuts_a_word_and_drops_dangling_punctuation(
    source: str, limit: int, expected: str
) -> None:
    assert summary(source, limit) == expected


def test_summary_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        summary("x", 0)


# --- size, time and failures -------------------------------------------------------------------------------


def test_a_200_kb_story_renders_in_full() -> None:
    paragraph = (
        "Un « récit » d'avenir, **gras** et *italique* avec [un lien](https://example.org) et `code`. " * 8
    )
    source = (
        "## Chapitre\n\n" + (paragraph + "\n\n") * 5 + "- a\n- b\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    ) * 53
    assert len(source) > 190_000
    started = time.thread_time()
    output = str(render_markdown(source))
    assert time.thread_time() - started < rendering.RENDER_CPU_SECONDS
    assert output.count("<h2>") == 53
    assert output.count("<table>") == 53
    assert_safe("200 KB story", output)


@pytest.mark.parametrize(
    "source",
    [
        "[" * 200_000,  # quadratic link parsing
        "[^" * 100_000,  # footnote regex: quadratic inside one regex call without the bound
        "```{ .x #y }\n" * 15_000,  # fenced-code regex: same, for unclosed fences
        '```hl_lines="\n```\n' + '"\n' * 50_000,  # hl_lines spanning lines
        "# x\n" * 50_000,  # many blocks
        "- " * 100_000 + "x",  # lists nested on one line: RecursionError
    ],
    ids=["brackets", "footnote-refs", "unclosed-fences", "hl-lines", "headings", "nested-lists"],
)
@pytest.mark.timeout(60)  # unbounded, these inputs take minutes; the CPU budget cuts them at 0.5 s
def test_pathological_input_falls_back_to_plain_paragraphs_in_time(
    monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.setattr(rendering, "RENDER_CPU_SECONDS", 0.5)
    rendering._render_source.cache_clear()
    output = str(render_markdown(source))
    assert_safe(source[:40], output)
    assert output.startswith("<p>")
    rendering._render_source.cache_clear()


# An interruption can land in a gc callback (hypothesis installs one), where Python swallows it with this
# warning; the watchdog then raises it again (`_REARM_SECONDS`), which is what this test relies on.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_timeout_never_leaks_out_of_the_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Budgets about as long as the render itself: the interruption lands inside, or not at all."""
    source = "Un *récit* [lien](https://example.org).\n\n" * 40
    for budget in (0.0005, 0.001, 0.002, 0.004, 0.008) * 20:
        monkeypatch.setattr(rendering, "RENDER_CPU_SECONDS", budget)
        rendering._render_source.cache_clear()
        output = str(render_markdown(source))
        assert output.count("<p>") == 40
        assert_safe(source, output)
    deadline = time.monotonic() + 0.2
    while time.monotonic() < deadline:  # a stray asynchronous exception would surface here
        sum(range(1000))
    rendering._render_source.cache_clear()


def test_an_error_while_rendering_falls_back_to_escaped_paragraphs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def convert(self, source: str) -> str:
            raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(rendering, "_markdown", Broken)
    rendering._render_source.cache_clear()
    output = render_markdown("*un* <script>\ndeux\n\n\n  \ntrois")
    rendering._render_source.cache_clear()
    assert str(output) == "<p>*un* &lt;script&gt;<br>\ndeux</p>\n<p>trois</p>"
    assert "rendered as plain text" in caplog.text


def test_threads_render_the_same_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = [f"# Récit {i}\n\nUn *texte*[^1] | a |\n\n[^1]: n{i}\n\n```\ncode {i}\n```" for i in range(40)]
    expected = [str(render_markdown(s)) for s in sources]
    results: dict[int, str] = {}

    def work(i: int) -> None:
        rendering._render_source.cache_clear()
        results[i] = str(render_markdown(sources[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(40)] == expected


# --- property: anything renders, and renders inert ---------------------------------------------------------

_FRAGMENTS = [
    "<", ">", "&", "#", ";", '"', "'", "`", "```", "~~~", "[", "]", "(", ")", "!", "*", "_", "^", ":", "|",
    "-", "\n", "\n\n", "    ", "\t", " ", "=", "/", "\\", "{", "}", "x", "é", "«", "»", "javascript:",
    "JaVa\tScRiPt:", "data:", "vbscript:", "&#106;", "&#x6A;", "&colon;", "script", "img", "svg", "onerror=",
    "style=", "src=", "href=", "alert(1)", "http://", "https://e.org", "mailto:", "[^1]", "[^1]: ", "![x](",
    "](", "<a ", "<img ", "<svg ", "</", "-->", "<!--", "\x00", "\x02", "\x03", "\u202e", "\ufeff",
]  # fmt: skip
_markdownish = st.lists(st.sampled_from(_FRAGMENTS), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), _markdownish))
def test_any_text_renders_without_error_and_inert(source: str) -> None:
    output = render_markdown(source)
    assert isinstance(output, Markup)
    assert_safe(source, str(output))
    assert_safe(source, str(render_inline(source)))
    text = plain_text(source)
    assert "\x00" not in text
    assert word_count(source) >= 0
    assert len(summary(source, 40)) <= 40


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Do this:\n- one\n- two", "<p>Do this:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("Steps:\n1. read\n2. write", "<p>Steps:</p>\n<ol>\n<li>read</li>\n<li>write</li>\n</ol>"),
        ("Back in\n2040. It rained.", "<p>Back in\n2040. It rained.</p>"),  # only 1. starts a list here
        ("```\nnotes\n- not a list\n```", "<pre><code>notes\n- not a list\n</code></pre>"),
        ("- a\n  more of a\n- b", "<ul>\n<li>a\n  more of a</li>\n<li>b</li>\n</ul>"),
    ],
)
def test_a_list_right_under_a_line_of_text_is_a_list(text: str, html: str) -> None:
    assert str(render_markdown(text)) == html
