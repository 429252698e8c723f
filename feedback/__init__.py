"""Cross-reading feedback: comments anchored on a story's passages, and a chat for each group.

A feature package above `workshops` and `stories`: it uses their models and the access rules of
`core.access`, and neither of them imports it but for the pages that show its counts.
"""
