"""The co-writing engine: a story written live by several editors, kept in a log that survives `kill -9`.

Follow a keystroke: it arrives as a `yjs` event in `sockets.py`, is checked in `sync.py` (is it well-formed:
`crdt.py` and `yupdate.py` read the y-protocols bytes) and handed to `writer.py`, which takes it with the
others that came together, reads their stories' last seqs and access versions in one statement
(`persistence.tips`), decides access for the batch (`access_cache.py`), applies it to the document that
`live.py` holds in memory, appends it to the log (`persistence.py`) and commits once; only then is it
acknowledged and relayed to the story's room. `engine.py` ties these up for one process. By module:

- `sockets.py`: the Socket.IO handlers `story:open`, `yjs`, `story:close` (thin: parse, call, emit after).
- `sync.py`: the operations behind them (open, a message, close), which never emit themselves.
- `engine.py`: this process's live documents, writer, subscriptions (who may still read what), cursors and
  housekeeping; it rechecks access when a workshop's access version moves.
- `writer.py`: group commit, one writer thread per process; `access_cache.py`: its access checks.
- `live.py`: one pycrdt document per story in memory, caught up from the log before any sync reply.
- `crdt.py`: the document and the y-protocols messages; `yupdate.py`: the structure of a Yjs update;
  `lib0.py`: the bounded lib0 reader both read with.
- `cursors.py`: awareness states (cursors, selections, names), in memory, never waiting for the database.
- `persistence.py`: the update log in the database: append, read, compact.
- `compactions.py`: this process's queue of long logs to compact, one at a time; `merge.py`: the
  replay behind compaction, and `offloaded`, which runs a long replay (compaction's, history's,
  checkpoints') in the worker's CPU process (`core/cpu_process.py`).
- `checkpoints.py`: every story's text at each phase end (in the background, on `core.signals.phase_ended`).
- `history.py`: the text at any point of the log, with who wrote it (the one count of authorship, from
  pycrdt's text events: checkpoints store it, the history page, the balance and the exports show it);
  `restore.py`: a checkpoint brought back
  as a new edit; `history_retention.py`: forgetting old keystrokes (`flask history-prune`); `writers.py`: who
  wrote with each Yjs client id (the live editor's authorship colours, `GET /stories/<id>/writers.json`).

It imports nothing from `workshops`, `feedback` or `accounts`, not even through `core` (tests/test_layers.py).
The engine asks, workshops answer, through `core.access.AccessRules` (registered by `workshops.register`):

- `story_access(identity, group_id, facilitator_writes=...)`: may this identity open and read the story of
  the group, may it write (`Access`; asked at `story:open` by `sync.open`, and per batch, only where the
  version moved, by `access_cache.py`: no query per keystroke);
- `versions(workshop_ids)`: the access versions to watch: `persistence.tips` reads them with the batch (in
  SQL), `engine.py` follows them with `core.access_version.Watcher` and re-checks open sockets when one moves;
- `audience_group(identity)`: the audience room a participant's socket joins with the story (`core.audience`).

Names and colours come from `core.identity` (`display_of`, `display_names`, `group_members`, answered by
`workshops.people` and `accounts.people`); the rows of the stories from `stories.models`.
"""
