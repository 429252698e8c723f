"""The packages' layers, read from every import in the app's code (at the top of a module and inside its
functions), parsed with `ast`. A failure prints the imports at fault, as `path:line module imports module`.

The units, from the bottom up:
- `schema`: every `models` module (and the top-level `models.py`): the rows, shared by every feature;
- `core`: who is who, who may do what (interfaces that `workshops` and `accounts` plug into: it imports
  no feature, not even its models), how events reach sockets, the text rules;
- `workshops.lower`: the workshop's own lower layers (`LOWER`: the clock, the `workshop:state` event,
  presence, join codes, templates, limits, the room, the blueprint, the audit log);
- `stories.cowriting` (the live engine) and `stories.reading` (publishing and the reader's pages);
- `workshops` (its operations, views and sockets), `feedback`, `accounts`, `api`, `stories` (its blueprint);
- each top-level module on its own (`app`, `features`, `extensions`, `forms`, ...).

And who commits, read from every `.commit(` call: no module that holds operations, and nothing but
`core.unit_of_work.committed()` outside the co-writing engine's own transactions (issue 24).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "workshops", "stories", "feedback", "accounts", "api", "consultations", "erasure")
LOWER = frozenset(
    {
        "workshops",
        "workshops.access",
        "workshops.access_version",
        "workshops.audit",
        "workshops.blueprint",
        "workshops.join_codes",
        "workshops.limits",
        "workshops.people",
        "workshops.phases",
        "workshops.presence",
        "workshops.room",
        "workshops.state",
        "workshops.templates",
    }
)
BASE = frozenset({"concurrency", "config", "errors", "extensions", "forms", "ids"})  # top-level helpers


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    source: str
    target: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.source} imports {self.target}"

    def hop(self) -> str:
        """This import as a step between layers, for a cycle's chain."""
        return f"[{unit(self.source)} -> {unit(self.target)}] {self}"


@cache
def modules() -> dict[str, Path]:
    """{dotted name: file} of the app's modules: the top-level ones and every one under `PACKAGES`."""
    found = {p.stem: p for p in ROOT.glob("*.py") if p.stem.isidentifier()}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _ours(name: str) -> str | None:
    """The app module that importing `name` loads last (`a.b.c` → `a.b` when `c` is not a module)."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def _imports_of(source: str, path: Path) -> list[Import]:
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found += [
                (node.lineno, f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base)
                for alias in node.names
            ]
    relative = str(path.relative_to(ROOT))
    return [
        Import(relative, line, source, target)
        for line, name in found
        if (target := _ours(name)) is not None and target != source
    ]


@cache
def imports() -> tuple[Import, ...]:
    return tuple(i for source, path in sorted(modules().items()) for i in _imports_of(source, path))


def unit(module: str) -> str:
    """The layer that `module` belongs to (see the module docstring)."""
    if module == "models" or module.endswith(".models"):
        return "schema"
    if module in LOWER:
        return "workshops.lower"
    parts = module.split(".")
    if parts[0] == "stories" and len(parts) > 1 and parts[1] in ("cowriting", "reading"):
        return f"stories.{parts[1]}"
    return parts[0]


def feature_unit(module: str) -> str:
    """The feature that `module` belongs to, `workshops` whole (its lower layers included)."""
    found = unit(module)
    return "workshops" if found == "workshops.lower" else found


FEATURES = frozenset({"core", "accounts", "workshops", "stories.cowriting", "stories.reading", "feedback"})


def cycles(of: Callable[[str], str] = unit, among: frozenset[str] | None = None) -> list[list[Import]]:
    """One chain of imports for each cycle between units (each set of units named once): each import leads
    from one unit to the next, and the last one back to the first. `of` names a module's unit; `among`, when
    given, keeps those units only and sets imports of the rows (`schema`) aside."""
    edges: dict[str, dict[str, Import]] = {}
    for i in imports():
        source, target = of(i.source), of(i.target)
        if among is not None and (source not in among or target not in among):
            continue
        if source != target:
            edges.setdefault(source, {}).setdefault(target, i)
    found: dict[frozenset[str], list[Import]] = {}
    for start, targets in sorted(edges.items()):
        for first in targets.values():
            chain = _path(edges, of(first.target), start, of)
            if chain is not None:
                units = frozenset(of(i.source) for i in [first, *chain])
                found.setdefault(units, [first, *chain])
    return list(found.values())


def _path(
    edges: dict[str, dict[str, Import]], start: str, goal: str, of: Callable[[str], str] = unit
) -> list[Import] | None:
    """The shortest chain of imports from unit `start` to unit `goal`, if there is one."""
    came: dict[str, list[Import]] = {start: []}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == goal:
            return came[here]
        for there, i in edges.get(here, {}).items():
            if there not in came:
                came[there] = [*came[here], i]
                queue.append(there)
    return None


def refused(
    source_units: set[str], allowed: set[str] | None = None, *, refused_tops: frozenset[str] = frozenset()
) -> list[str]:
    """The imports from `source_units` whose target's unit is not in `allowed` (when given), or whose target
    lies in one of the top-level packages `refused_tops`."""
    return [
        str(i)
        for i in imports()
        if unit(i.source) in source_units
        and (
            (allowed is not None and unit(i.target) not in allowed) or i.target.split(".")[0] in refused_tops
        )
    ]


def test_the_parser_sees_top_level_and_function_level_imports() -> None:
    found = {(i.source, i.target) for i in imports()}
    assert ("stories.cowriting.sync", "stories.cowriting.engine") in found  # at the top
    assert ("stories.cowriting.persistence", "stories.cowriting.history") in found  # inside a function
    assert ("features", "stories.reading.views") in found  # `import a.b.c` inside a function


def test_no_import_cycle_between_the_layers() -> None:
    found = cycles()
    assert not found, "import cycles between layers:\n" + "\n\n".join(
        "\n".join(i.hop() for i in chain) for chain in found
    )


def test_core_imports_nothing_of_workshops_or_stories_but_their_models() -> None:
    bad = refused({"core"}, {"core", "schema", *BASE})
    assert not bad, "core imports more than the models and the top-level helpers:\n" + "\n".join(bad)


def test_the_cowriting_engine_imports_nothing_of_workshops() -> None:
    bad = refused({"stories.cowriting"}, refused_tops={"workshops"})
    assert not bad, "stories.cowriting imports workshops (not even its models):\n" + "\n".join(bad)


def test_the_lower_layers_of_workshops_import_no_stories() -> None:
    bad = refused({"workshops.lower"}, {"workshops.lower", "core", "schema", *BASE})
    assert not bad, "workshops' lower layers import more than core and the models:\n" + "\n".join(bad)


def test_the_schema_imports_only_the_schema() -> None:
    bad = refused({"schema"}, {"schema", *BASE})
    assert not bad, "a models module imports code:\n" + "\n".join(bad)


FEATURE_PACKAGES = frozenset({"accounts", "workshops", "stories", "feedback"})


def test_core_imports_no_feature_package_not_even_its_models() -> None:
    bad = sorted(
        {
            str(i)
            for i in imports()
            if unit(i.source) == "core"
            and (i.target == "models" or i.target.split(".")[0] in FEATURE_PACKAGES)
        }
    )
    assert not bad, "core imports a feature (workshops plug into core, not the reverse):\n" + "\n".join(bad)


def reached_from(sources: set[str], through: Callable[[str], bool]) -> list[Import]:
    """Every import made by the modules `sources`, or by a module that they reach through modules that
    `through` accepts."""
    seen, queue, found = set(sources), deque(sorted(sources)), []
    by_source: dict[str, list[Import]] = {}
    for i in imports():
        by_source.setdefault(i.source, []).append(i)
    while queue:
        for i in by_source.get(queue.popleft(), []):
            found.append(i)
            if through(i.target) and i.target not in seen:
                seen.add(i.target)
                queue.append(i.target)
    return found


def test_the_engine_imports_no_workshops_feedback_or_accounts_even_through_core() -> None:
    engine = {m for m in modules() if unit(m) == "stories.cowriting"}
    refused_tops = {"workshops", "feedback", "accounts"}
    bad = sorted(
        {
            str(i)
            for i in reached_from(engine, lambda m: unit(m) in ("stories.cowriting", "core"))
            if i.target == "models" or i.target.split(".")[0] in refused_tops
        }
    )
    assert not bad, "the engine reaches workshops, feedback or accounts:\n" + "\n".join(bad)


def test_no_import_cycle_between_the_features_but_for_their_models() -> None:
    found = cycles(feature_unit, FEATURES)
    assert not found, "import cycles between features:\n" + "\n\n".join(
        "\n".join(f"[{feature_unit(i.source)} -> {feature_unit(i.target)}] {i}" for i in chain)
        for chain in found
    )


# --- Who commits (issue 24: one unit of work) -----------------------------------------------------------

OPERATIONS = (
    "accounts/operations.py",
    "consultations/operations.py",
    "feedback/chat.py",
    "feedback/comments.py",
    "stories/reading/publishing.py",
    "stories/reading/reactions.py",
    "workshops/joining.py",
    "workshops/live.py",
    "workshops/management.py",
)
"""The modules that hold operations: they flush and queue their events, their callers commit."""
UNIT_OF_WORK = "core/unit_of_work.py"
OWN_TRANSACTIONS = "stories/cowriting/"  # the engine's writer and persistence layer keep their own rules


def commits(path: str) -> list[str]:
    """Every call of a `.commit(` in the file, as `path:line`."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), path)
    return [
        f"{path}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    ]


def test_operations_do_not_commit() -> None:
    assert {str(p.relative_to(ROOT)) for p in modules().values()} >= set(OPERATIONS)
    bad = [found for path in OPERATIONS for found in commits(path)]
    assert not bad, "operations commit (flush, and let the caller's `committed()` commit):\n" + "\n".join(bad)


def test_only_the_unit_of_work_commits_outside_the_engine() -> None:
    paths = sorted(str(p.relative_to(ROOT)) for p in modules().values())
    bad = [
        found
        for path in paths
        if path != UNIT_OF_WORK and not path.startswith(OWN_TRANSACTIONS)
        for found in commits(path)
    ]
    assert not bad, "commits outside `core.unit_of_work.committed()`:\n" + "\n".join(bad)


def test_only_the_app_imports_erasure() -> None:
    """`erasure` sits above every feature (it erases across them); none of them, nor the rows, imports it."""
    bad = refused({*FEATURES, "api", "schema", "workshops.lower"}, refused_tops=frozenset({"erasure"}))
    assert not bad, "a feature imports erasure:\n" + "\n".join(bad)
