"""What every feature shares, below `accounts`, `workshops`, `stories` and `feedback`, which may all use it.
It imports none of them, not even their models: where it needs a feature's answer, it defines an interface
that the feature implements and plugs in when the app is created (`features.register` calls
`workshops.register` and `accounts.register`):

- who is who: `identity.py` (`Identity`, a socket's `auth`, the participant's session cookie); the people
  come from `Participants` (registered by `workshops.people`) and `Facilitators` (`accounts.people`);
- who may do what: `access.py`, the interface the engine and `feedback` ask (`AccessRules`: may this
  identity open, read, write this story; which access versions to watch; the audience group; the comment
  rules and the chat), implemented by `workshops.access`; `access_version.py` (each process's loop over
  the versions of the workshops its sockets are in, calling its hooks when one moves; the listeners that
  move them are `workshops.access_version`); `audience.py` (the rooms narrow events go to);
- how events reach sockets: `events.py` (every event the server sends, typed, as docs/protocol.md lists
  them), `outbox.py` (sent once the transaction commits, never on rollback), `unit_of_work.py` (the one
  place that commits: operations flush, their caller commits once), `realtime.py` (room names, a
  socket's identity, error acks), `signals.py` (what
  happened, for whoever listens: a phase ended), `background.py` (work that a click starts and does not
  wait for);
- the worker's event loop: `runtime.py` (the app's runtime: every periodic task and service registers with
  it, `every(seconds, fn, name)` or `service(name, start, stop)`; started once per worker process by
  gunicorn's `post_worker_init`, stopped by the tests' fixture), `watchdog.py` (a log line for every
  stall), `cpu_process.py` (a child process for CPU-heavy pure work, so that the loop never waits for it);
- the app's settings: `settings.py` (every `PLUME_*` key typed, with its one default; `settings()`);
- the text rules: `text.py` (what a typed field may hold), `rendering.py` (the only place Markdown becomes
  HTML, sanitised).
"""
