"""Stories: the shared document, its storage, rendering, publishing and the reader side."""
