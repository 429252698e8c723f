"""`make bench` (history part): seek time and history-page time for a story of 20,000 updates.

Three writers type 20,000 keystrokes (`bench.writing`) through three phases into one story on a temporary
SQLite database; the log is compacted every 500 rows as the engine does (which keeps the raw rows and
extends the replay snapshots). Then: seeks to random points of the log (the timeslider's request, through
the real route), the whole history page, and the console's balance, each timed on the test client.

    .venv/bin/python -m bench.history --updates 20000
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    median, top = statistics.median(ordered) * 1000, ordered[-1] * 1000
    return f"median {median:7.1f} ms   p95 {p95 * 1000:7.1f} ms   max {top:7.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=20_000, help="keystrokes in the story (default 20000)")
    parser.add_argument("--seeks", type=int, default=60, help="random seeks to time (default 60)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from accounts import operations as accounts
    from app import create_app
    from bench.writing import session
    from core.unit_of_work import committed
    from extensions import db
    from stories.cowriting import checkpoints, persistence
    from tests import factories

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench-history.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            db.create_all()
            owner = factories.facilitator()
            phases = [
                {"title": t, "duration_seconds": 900, "editors_open": True}
                for t in ("Imagine", "Write", "Revise")
            ]
            workshop = factories.workshop(owner, groups=1, phases=phases)
            group = workshop.groups[0]
            story = factories.story_of(group)
            members = [factories.participant(group, n)[0] for n in ("Ana", "Ben", "Chloé")]
            started = time.perf_counter()
            keystrokes = session(args.updates, writers=3, seed=args.seed)
            made = time.perf_counter() - started
            print(f"history bench: {args.updates} updates by 3 writers made in {made:.1f} s")
            compacting = 0.0
            phase_ends = {args.updates // 3: 0, 2 * args.updates // 3: 1, args.updates: 2}
            for start in range(0, args.updates, 500):
                chunk = keystrokes[start : start + 500]
                factories.story_updates(story, [(u, members[i]) for i, u in chunk])
                t = time.perf_counter()
                persistence.compact(story.id)
                compacting += time.perf_counter() - t
                end = start + len(chunk)
                for boundary, position in phase_ends.items():
                    if start < boundary <= end:
                        checkpoints.checkpoint_workshop(
                            workshop.id, position, workshop.phases[position].title
                        )
            print(f"  compactions (keeping the log, extending snapshots): {compacting:.1f} s in all")
            from sqlalchemy import func, select

            from stories.models import StoryLogEntry, StorySnapshot

            snaps, snap_bytes = db.session.execute(
                select(
                    func.count(),
                    func.sum(func.length(StorySnapshot.state) + func.length(StorySnapshot.authors)),
                )
            ).one()
            log_bytes = db.session.scalar(select(func.sum(func.length(StoryLogEntry.data))))
            print(f"  kept log {log_bytes / 1e6:.1f} MB; {snaps} replay snapshots {snap_bytes / 1e6:.1f} MB")

            client = app.test_client()
            with committed():
                token = accounts.start_session(owner)  # a live server-side session
            with client.session_transaction() as s:
                s["_user_id"] = str(owner.id)
                s["_fresh"] = True
                s[accounts.SESSION_KEY] = token
            rng = random.Random(args.seed)
            seeks = []
            for _ in range(args.seeks):
                seq = rng.randint(0, args.updates)
                t = time.perf_counter()
                answer = client.get(f"/stories/{story.id}/history/seek.json?seq={seq}")
                seeks.append(time.perf_counter() - t)
                assert answer.status_code == 200
            print(f"  seek (GET seek.json, random seq):   {_ms(seeks)}")
            pages = []
            for _ in range(5):
                t = time.perf_counter()
                answer = client.get(f"/stories/{story.id}/history")
                pages.append(time.perf_counter() - t)
                assert answer.status_code == 200
            print(f"  history page (3 phases, 20k):       {_ms(pages)}")
            balances = []
            for _ in range(10):
                t = time.perf_counter()
                client.get(f"/stories/{story.id}/history/balance.json")
                balances.append(time.perf_counter() - t)
            print(f"  console balance (balance.json):     {_ms(balances)}")
            verdict = (
                "ok" if statistics.median(seeks) <= 0.2 and max(seeks) <= 0.2 else "OVER the 200 ms budget"
            )
            print(f"  seek budget 200 ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
