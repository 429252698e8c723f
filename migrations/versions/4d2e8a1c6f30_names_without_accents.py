"""Display names compare without accents: "Émilie" and "Emilie" are one name in a workshop (issue 28)

Revision ID: 4d2e8a1c6f30
Revises: 3c1f5e7a9b2d
Create Date: 2026-12-06 19:30:00

Every participant's `name_key` is computed again. Where two names of a workshop now share a key, the
first (lowest id) keeps it and the later ones get a unique one (`key#id`), as the migration that made the
keys did: nobody is renamed, and nobody new can take either name.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "4d2e8a1c6f30"
down_revision = "3c1f5e7a9b2d"
branch_labels = None
depends_on = None


def _key(display_name: str) -> str:  # workshops.models.name_key as of this revision (frozen here)
    decomposed = unicodedata.normalize("NFKD", display_name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _old_key(display_name: str) -> str:
    return " ".join(display_name.casefold().split())


def _rekey(key_of) -> None:
    bind = op.get_bind()
    participants = sa.table(
        "participants",
        sa.column("id"),
        sa.column("workshop_id"),
        sa.column("display_name"),
        sa.column("name_key"),
    )
    rows = bind.execute(
        sa.select(participants.c.id, participants.c.workshop_id, participants.c.display_name).order_by(
            participants.c.id
        )
    ).all()
    seen: set[tuple[int, str]] = set()
    keys = {}
    for id_, workshop_id, display_name in rows:
        key = key_of(display_name)
        keys[id_] = key if (workshop_id, key) not in seen else f"{key}#{id_}"
        seen.add((workshop_id, key))
    # Two passes, so that no intermediate state breaks the unique constraint (workshop_id, name_key).
    for id_ in keys:
        bind.execute(participants.update().where(participants.c.id == id_).values(name_key=f"#migrating#{id_}"))
    for id_, key in keys.items():
        bind.execute(participants.update().where(participants.c.id == id_).values(name_key=key))


def upgrade():
    _rekey(_key)


def downgrade():
    _rekey(_old_key)
