"""Consultations: the layer above the workshop (issue 25). A consultation gathers workshops around one
question, is run by an owner and invited co-organisers, and publishes its stories as one public collection
(`/c/<slug>`).

Its modules: `models` (the rows), `operations` (create, edit, invite, add workshops: flush, the caller
commits), `forms`, `manage_views` (the organiser's pages), `collection` and `public_views` (the readers'),
`overview`, `overview_views` and `overview_sockets` (the organiser's live overview of every workshop).
"""
