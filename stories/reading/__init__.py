"""The reader's side: what is made of a story once a group has written it, and the pages that show it.

Follow a story to its readers: the facilitator reviews it on `review_views.py` (form in `forms.py`), and
`publishing.py` renders it once (through `core.rendering`) and stores its public form; from then on
`catalog.py` says what readers may see, and `views.py` shows it. Nothing here touches the live CRDT: the
published form is read, and the history pages read the log through `stories.cowriting.history`. By module:

- `views.py`: the readers' pages (gallery, collections, story pages, search, reactions, feeds, downloads,
  sitemap); `read_aloud.py`: one story at a time in large type, for the closing read-aloud.
- `review_views.py`: the facilitator's review and publish page; `publishing.py`: the publishing rules;
  `forms.py`: the review form.
- `catalog.py`: published stories and their collections (one per workshop); `search.py`: accent-insensitive
  full-text search; `reactions.py`: readers' reactions, once per browser and kind.
- `exports.py`: Markdown, HTML and EPUB downloads; `pdf.py`: PDF ones; `feeds.py`: Atom feeds;
  `links.py`: absolute links for what leaves the site.
- `api.py`: the read API (`/api/v1/stories`).
- `history_views.py`: a story's history pages (timeslider, balance, restore, "how it was written");
  `history_export.py`: a workshop's writing archive as JSON and CSV.
"""
