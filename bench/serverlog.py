"""What a Plume server logged inside the measured window: compactions, snapshot extensions, loop stalls.

The server logs one line per event (docs/deploy.md, "Logs"), its message `key=value` pairs:

    compaction story=<id> rows=<n> ms=<float>          (logger plume.compaction, INFO)
    snapshots story=<id> extended=<n> ms=<float>       (logger plume.compaction, INFO)
    loop_stall_ms=<int> held_by=<module:function:line> cpu_ms=<int>   (logger plume.watchdog, WARNING)

The messages are found inside the formatted line, key=value or JSON alike. A kind of line that the server's
code never writes is reported as None ("n/a"), not as zero.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMPACTION = re.compile(r"compaction story=(\d+) rows=(\d+) ms=([\d.]+)")
SNAPSHOTS = re.compile(r"snapshots story=(\d+) extended=(\d+) ms=([\d.]+)")
STALL = re.compile(r"loop_stall_ms=(\d+) held_by=([^\s\"\\]+)(?: cpu_ms=(\d+))?")
MARKERS = {
    "compactions": "compaction story=",
    "snapshot_extensions": "snapshots story=",
    "stalls": "loop_stall_ms=",
}
_SKIP = {"bench", "tests", ".venv", "node_modules", "static", ".git"}


def parse(text: str, known: set[str] | None = None) -> dict[str, Any]:
    """The events in `text`; each kind not in `known` (the kinds the server can log) is None."""
    compactions = [(int(s), int(r), float(ms)) for s, r, ms in COMPACTION.findall(text)]
    snapshots = [(int(s), int(n), float(ms)) for s, n, ms in SNAPSHOTS.findall(text)]
    stalls = [(int(ms), held, int(cpu) if cpu else None) for ms, held, cpu in STALL.findall(text)]
    worst = max(stalls, default=None)
    figures: dict[str, Any] = {
        "compactions": len(compactions),
        "compaction_ms_max": max((ms for *_, ms in compactions), default=None),
        "snapshot_extensions": len(snapshots),
        "snapshots_added": sum(n for _, n, _ in snapshots),
        "stalls": len(stalls),
        "worst_stall_ms": worst[0] if worst else 0,
        "worst_stall_held_by": worst[1] if worst else None,
        "worst_stall_cpu_ms": worst[2] if worst else None,  # low: the host was short of CPU, not the code
    }
    known = set(MARKERS) if known is None else known
    if "compactions" not in known and not compactions:
        figures["compactions"] = None
    if "snapshot_extensions" not in known and not snapshots:
        figures["snapshot_extensions"] = figures["snapshots_added"] = None
    if "stalls" not in known and not stalls:
        figures["stalls"] = figures["worst_stall_ms"] = None
    return figures


def kinds_logged(root: Path = ROOT) -> set[str]:
    """The kinds of event lines the server's own code (not the bench's, not the tests') can write."""
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if _SKIP.intersection(path.relative_to(root).parts):
            continue
        text = path.read_text(errors="replace")
        found |= {kind for kind, marker in MARKERS.items() if marker in text}
    return found


class Window:
    """The part of a log file written between `start()` and `end()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.begin = self.finish = 0

    def _size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def start(self) -> None:
        self.begin = self.finish = self._size()

    def end(self) -> None:
        self.finish = self._size()

    def text(self) -> str:
        with self.path.open("rb") as log:
            log.seek(self.begin)
            return log.read(max(0, self.finish - self.begin)).decode(errors="replace")
