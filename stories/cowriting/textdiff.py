"""The difference between two texts in bounded time, whatever the texts (a participant chooses them).

difflib alone is quadratic (or worse) in repeated lines: ``"a\\n" * 18000`` against itself with one change
took 30 s. Here, as in patience diff, the texts are first cut at their common prefix and suffix, then
anchored on the lines (or words) that occur exactly once on each side, in an order both share (longest
increasing subsequence), and the gaps between anchors are handled the same way. difflib only compares
gaps small enough to be cheap (`SMALL_GAP` pairs), which keeps its minimal answer for everyday edits, and
all the work of one diff is counted against `WORK_LIMIT`: a gap that is too large, or found once the work
is spent, is shown as replaced (removed, then added). The answer always rebuilds both texts.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

Block = tuple[int, int, int]  # a[i:i+n] == b[j:j+n]
Gap = tuple[int, int, int, int]  # a[alo:ahi] against b[blo:bhi]
Piece = tuple[str, str]  # ("same" | "added" | "removed", text)

SMALL_GAP = 40_000  # difflib compares a gap of at most this many (a element, b element) pairs
WORK_LIMIT = 4_000_000  # elements looked at by one diff (lines and words) before gaps show as replaced
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


class Work:
    """What one diff may still spend; `spend` is False once it is over."""

    def __init__(self, limit: int = WORK_LIMIT) -> None:
        self.left = limit

    def spend(self, units: int) -> bool:
        self.left -= units
        return self.left >= 0


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of `pairs` (ordered by their second item) whose first items increase."""
    tails: list[int] = []  # first item ending the best run of each length
    tail_at: list[int] = []  # index in `pairs` of that end
    before: list[int] = [-1] * len(pairs)
    for k, (i, _j) in enumerate(pairs):
        at = bisect_left(tails, i)
        if at == len(tails):
            tails.append(i)
            tail_at.append(k)
        else:
            tails[at] = i
            tail_at[at] = k
        before[k] = tail_at[at - 1] if at else -1
    run, k = [], tail_at[-1] if tail_at else -1
    while k >= 0:
        run.append(pairs[k])
        k = before[k]
    return run[::-1]


def _trim(a: Sequence[str], b: Sequence[str], gap: Gap, found: list[Block]) -> tuple[Gap, int]:
    """The gap without its common prefix and suffix (added to `found`), and how many elements that was."""
    alo, ahi, blo, bhi = gap
    start = 0
    while alo + start < ahi and blo + start < bhi and a[alo + start] == b[blo + start]:
        start += 1
    if start:
        found.append((alo, blo, start))
        alo, blo = alo + start, blo + start
    end = 0
    while alo < ahi - end and blo < bhi - end and a[ahi - end - 1] == b[bhi - end - 1]:
        end += 1
    if end:
        found.append((ahi - end, bhi - end, end))
        ahi, bhi = ahi - end, bhi - end
    return (alo, ahi, blo, bhi), start + end


def _anchors(a: Sequence[str], b: Sequence[str], gap: Gap) -> list[tuple[int, int]]:
    """The elements found once on each side of the gap, in an order both sides share."""
    alo, ahi, blo, bhi = gap
    in_a, in_b = Counter(a[alo:ahi]), Counter(b[blo:bhi])
    where = {a[i]: i for i in range(alo, ahi) if in_a[a[i]] == 1}
    return _increasing([(where[b[j]], j) for j in range(blo, bhi) if in_b[b[j]] == 1 and b[j] in where])


def _merged(found: list[Block]) -> list[Block]:
    merged: list[Block] = []
    for i, j, n in sorted(found):
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return merged


def matching_blocks(a: Sequence[str], b: Sequence[str], work: Work) -> list[Block]:
    """Blocks of `a` and `b` that match, in order, found within `work`."""
    found: list[Block] = []
    gaps: list[Gap] = [(0, len(a), 0, len(b))]
    while gaps:
        (alo, ahi, blo, bhi), trimmed = _trim(a, b, gaps.pop(), found)
        pairs = (ahi - alo) * (bhi - blo)
        if not pairs or not work.spend(trimmed + (ahi - alo) + (bhi - blo)):
            continue
        if pairs <= SMALL_GAP and work.spend(pairs // 8):
            matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            found.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)
            continue
        previous = (alo, blo)
        for i, j in _anchors(a, b, (alo, ahi, blo, bhi)):  # each matches; the gaps between are looked at next
            found.append((i, j, 1))
            gaps.append((previous[0], i, previous[1], j))
            previous = (i + 1, j + 1)
        if previous != (alo, blo):
            gaps.append((previous[0], ahi, previous[1], bhi))
    return _merged(found)


def diff(before: str, after: str, work: Work | None = None) -> list[Piece]:
    """Line by line, then word by word within changed lines: pieces that rebuild both texts."""
    work = work or Work()
    out: list[Piece] = []

    def push(kind: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))

    def compare(a: Sequence[str], b: Sequence[str], inner: bool) -> None:
        i = j = 0
        for bi, bj, n in [*matching_blocks(a, b, work), (len(a), len(b), 0)]:
            if i < bi or j < bj:
                removed, added = "".join(a[i:bi]), "".join(b[j:bj])
                if inner and removed and added:
                    compare(_TOKENS.findall(removed), _TOKENS.findall(added), False)
                else:
                    push("removed", removed)
                    push("added", added)
            push("same", "".join(a[bi : bi + n]))
            i, j = bi + n, bj + n

    compare(before.splitlines(keepends=True), after.splitlines(keepends=True), True)
    return out
