"""Cross-reading feedback: comments anchored on a story's passages, and a chat for each group.

A feature package above `stories` and beside `workshops`: it uses their models, asks `core.access` who may
do what (the rules are `workshops.access`, plugged in there), and has its own blueprint (`blueprint.py`);
`workshops` and `stories` import it only for the pages that show its counts.
"""
