"""Stories, in two halves: `cowriting/` (the live engine: sockets, sync, writer, the log) and `reading/`
(publishing, the reader's pages, exports, feeds, search). Here: `models.py` (the rows both use) and
`blueprint.py` (the `stories` blueprint, and the phase-end checkpoints it connects when an app registers it).
"""
