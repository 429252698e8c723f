"""What every feature shares, below `workshops` and `stories`, which may both use it (it uses neither, but for
their models):

- who is who: `identity.py` (a participant's token, a facilitator's login, a socket's `auth`);
- who may do what: `access.py` (run a workshop, read or write a story, comment, chat), and
  `access_version.py` (the per-workshop version that every change of access moves, watched by each process);
- how events reach sockets: `events.py` (every event the server sends, typed, as docs/protocol.md lists
  them), `outbox.py` (sent once the transaction commits, never on rollback), `unit_of_work.py` (the one
  place that commits: operations flush, their caller commits once), `realtime.py` (room names, a
  socket's identity, error acks), `signals.py` (what
  happened, for whoever listens: a phase ended), `background.py` (work that a click starts and does not
  wait for);
- the worker's event loop: `watchdog.py` (a log line for every stall), `cpu_process.py` (a child process
  for CPU-heavy pure work, so that the loop never waits for it);
- the text rules: `text.py` (what a typed field may hold), `rendering.py` (the only place Markdown becomes
  HTML, sanitised).
"""
