"""Consultations: the layer above the workshop (issue 25). A consultation gathers workshops around one
question, is run by an owner and invited co-organisers, and publishes its stories as one public collection
(`/c/<slug>`).

Its modules: `models` (the rows), `operations` (create, edit, invite, add workshops: flush, the caller
commits), `batch` (many workshops at once, in short transactions: it commits), `csv_import` and
`import_views` (workshops from a CSV file, all or nothing), `forms`, `manage_views` (the organiser's pages),
`overview`, `overview_views` and `overview_sockets` (the organiser's live overview of every workshop),
`vote` and `vote_views` (the dot-vote on its stories), `collection`, `public_views` and `anthology_views`
(the readers'), `demo` (`flask demo --consultation`).

Who sees what: its organisers (`consultation_organisers`: the owner and the co-organisers invited) see its
page and every workshop; a facilitator who runs one of its workshops (named in the CSV file) but does not
organise it sees that workshop only, through the workshop's own pages, and gets a 404 here.
"""
