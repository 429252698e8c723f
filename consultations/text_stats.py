"""The most distinctive words of texts (a theme's stories, one story) against the others: TF-IDF over word
stems, in French or English.

Words are cut as `core.rendering` counts them, lower-cased, French elisions dropped ("l'avenir" → "avenir"),
then stop words removed and the rest stemmed, both from maintained libraries rather than lists of our own:
the stop words of `stop-words` (python-stop-words) and the Snowball stemmers of `snowballstemmer` (the
package Sphinx's search uses). Stemming merges the forms of a word ("santé", "santés"; "soin", "soins"),
and each stem is shown as its most frequent form in the texts.

Pure functions over plain strings: no database, request or translation, so that a synthesis can run them
off the event loop within the work budget (`core.budget`).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import snowballstemmer
from stop_words import get_stop_words

K = TypeVar("K", bound=Hashable)

#: Plume's languages → Snowball's algorithm names (python-stop-words takes the same ISO codes).
STEMMERS = {"fr": "french", "en": "english"}
DEFAULT_LANGUAGE = "fr"
MIN_LETTERS = 3  # shorter words ("on", "va", "xx") tell nothing on their own
TOP = 8

# A word: letters (no digits) possibly joined by apostrophes or hyphens, as `core.rendering` counts words.
_WORD = re.compile(r"[^\W\d_]+(?:['’\-‐‑][^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_PARTS = re.compile(r"[\-‐‑]")
# French elided forms before an apostrophe: l'avenir, d'abord, qu'il, jusqu'à, aujourd'hui stays whole.
_ELIDED = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})


@dataclass(frozen=True)
class Term:
    """A distinctive word: its most frequent form, its stem, how often it occurs, and its TF-IDF score."""

    word: str
    stem: str
    count: int
    score: float


def language_of(code: str) -> str:
    return code if code in STEMMERS else DEFAULT_LANGUAGE


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """The language's stop words, lower case, with straight apostrophes."""
    words = get_stop_words(language_of(language))
    return frozenset(w.casefold().translate(_APOSTROPHES) for w in words)


def _pieces(word: str, stops: frozenset[str]) -> list[str]:
    """A word as typed → its meaningful parts: elisions cut, hyphenated words split, stop words out."""
    word = unicodedata.normalize("NFC", word).casefold().translate(_APOSTROPHES)
    if word in stops:
        return []
    if "'" in word:
        head, _sep, tail = word.partition("'")
        if head in _ELIDED:
            word = tail
        elif tail in {"s", "ll", "re", "ve", "d", "t"}:  # English: Marcel's, they'll, we're…
            word = head
    parts = _PARTS.split(word)  # "aujourd'hui" stays whole
    return [p for p in parts if len(p) >= MIN_LETTERS and p not in stops]


class Stems:
    """Stems of the forms met so far in one language (one per job: a Snowball stemmer keeps state between
    words, so it is not shared across threads; a text repeats its forms, so each is stemmed once)."""

    def __init__(self, language: str) -> None:
        self.language = language_of(language)
        self.stops = stop_words(self.language)
        self._stemmer = snowballstemmer.stemmer(STEMMERS[self.language])
        self._known: dict[str, str] = {}

    def words(self, text: str) -> list[tuple[str, str]]:
        """The meaningful words of `text` in order, each as (stem, form as written, lower case)."""
        forms = [p for match in _WORD.finditer(text) for p in _pieces(match.group(), self.stops)]
        new = [form for form in set(forms) if form not in self._known]
        self._known.update(zip(new, self._stemmer.stemWords(new), strict=True))
        return [(self._known[form], form) for form in forms]


def words(text: str, language: str) -> list[tuple[str, str]]:
    """The meaningful words of `text` in order, each as (stem, form as written, lower case)."""
    return Stems(language).words(text)


def distinctive(texts: Mapping[K, str], language: str, top: int = TOP) -> dict[K, list[Term]]:
    """For each text, its `top` words with the highest TF-IDF against the other texts (smoothed idf:
    ln((1 + n) / (1 + df)) + 1). A word that every text has is left out when there are several texts."""
    counted: dict[K, Counter[str]] = {}
    forms: dict[str, Counter[str]] = {}
    stems = Stems(language)
    for key, text in texts.items():
        found = stems.words(text)
        counted[key] = Counter(stem for stem, _form in found)
        for stem, form in found:
            forms.setdefault(stem, Counter())[form] += 1
    documents = len(counted)
    frequency = Counter(stem for counts in counted.values() for stem in counts)
    result: dict[K, list[Term]] = {}
    for key, counts in counted.items():
        total = sum(counts.values()) or 1
        shared = documents > 1  # a word of every text tells none of them apart
        scored = [
            Term(
                word=_best_form(forms[stem]),
                stem=stem,
                count=count,
                score=count / total * (math.log((1 + documents) / (1 + frequency[stem])) + 1),
            )
            for stem, count in counts.items()
            if not (shared and frequency[stem] == documents)
        ]
        scored.sort(key=lambda t: (-t.score, -t.count, t.word))
        result[key] = scored[:top]
    return result


def _best_form(forms: Counter[str]) -> str:
    """The form shown for a stem: the most frequent, then the shortest, then the first alphabetically."""
    return min(forms, key=lambda form: (-forms[form], len(form), form))


def top_words(texts: Sequence[str], language: str, top: int = TOP) -> list[Term]:
    """The most frequent meaningful words over all the texts (score: the share of all words)."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    stems = Stems(language)
    for text in texts:
        for stem, form in stems.words(text):
            counts[stem] += 1
            forms.setdefault(stem, Counter())[form] += 1
    total = sum(counts.values()) or 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], _best_form(forms[item[0]])))
    return [Term(_best_form(forms[s]), s, c, c / total) for s, c in ranked[:top]]
