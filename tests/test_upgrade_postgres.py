"""An upgrade of a PostgreSQL database that holds real workshops, from the first migration to the last.

The rows are written at the first migration's schema, as the first release wrote them: facilitators, a
running and a published workshop, groups, participants (two of them with the same name, which a later
migration must tell apart), and stories typed by several writers as Yjs updates (insertions, deletions,
accents and emoji). After `flask db upgrade`, every story reads the same, from the database and to a client
that syncs with a server on it, and the schema is the one the models describe.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pycrdt import Doc, Text
from sqlalchemy import create_engine, text

from app import create_app
from core.identity import new_token
from extensions import db
from stories.cowriting import crdt, persistence
from tests.databases import new_postgres_databases
from tests.server import ServerProcess
from tests.stories.clients import example_module, wait_until
from tests.stories.test_durability import stored_text
from tests.test_backups import flask

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

FIRST_MIGRATION = "809b1e019e22"
WORDS = "le futur désirable commence ici : une ville où l’eau est commune 🌊 et les rues".split()  # noqa: SIM905


def typed_story(client_ids: list[int], seed: int) -> list[tuple[int, bytes]]:
    """(client id, update) for a story typed by several writers in turn: words in, some words out."""
    rng = random.Random(seed)
    docs = {client: Doc(client_id=client) for client in client_ids}
    updates: list[tuple[int, bytes]] = []
    for _ in range(60):
        client = rng.choice(client_ids)
        doc = docs[client]
        for _client, update in updates:
            doc.apply_update(update)
        body = doc.get(crdt.BODY, type=Text)
        now = str(body)
        before = doc.get_state()
        spaces = [i for i, char in enumerate(now) if char == " "]
        if len(spaces) > 4 and rng.random() < 0.2:  # a word out (pycrdt counts in UTF-8 bytes)
            k = rng.randrange(len(spaces) - 1)
            start, end = spaces[k], spaces[k + 1]
            del body[len(now[:start].encode()) : len(now[:end].encode())]
        else:  # a word in, between two words
            at = rng.choice([0, *spaces])
            body.insert(len(now[:at].encode()), rng.choice(WORDS) + " ")
        updates.append((client, doc.get_update(before)))
    return updates


def insert(connection: Any, table: str, **values: Any) -> int | None:
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    returning = " RETURNING id" if "id" not in values and table not in _NO_ID else ""
    row = connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks}){returning}"), values)  # noqa: S608
    return row.scalar_one() if returning else None


_NO_ID = {"workshop_facilitators", "story_updates", "story_clients", "story_themes"}


def seed_first_schema(url: str) -> dict[str, Any]:
    """Realistic rows at the first migration's schema; returns the stories' texts and a reader's token."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    token, token_hash = new_token()
    stories: dict[int, str] = {}
    with engine.begin() as connection:
        owner = insert(
            connection, "facilitators", email="ada@example.org", name="Ada", password_hash="scrypt:x$y$z"
        )
        for n, (status, phase_index) in enumerate((("running", 0), ("finished", 1))):
            workshop = insert(
                connection, "workshops", title=f"Atelier {n}", question="Et si la ville était à nous ?",
                language="fr", join_code=f"OLD{n:04d}", joining_open=True, participants_choose_group=False,
                owner_id=owner, phase_index=phase_index, status=status, all_locked=False, broadcast="",
            )  # fmt: skip
            connection.execute(
                text("INSERT INTO workshop_facilitators VALUES (:w, :f)"), {"w": workshop, "f": owner}
            )
            for position, (title, open_) in enumerate((("Écrire", True), ("Lire", False))):
                insert(
                    connection, "phases", workshop_id=workshop, position=position, title=title,
                    instructions="", duration_seconds=900, editors_open=open_, visibility="own",
                )  # fmt: skip
            for g in range(3):
                group = insert(
                    connection,
                    "groups",
                    workshop_id=workshop,
                    position=g,
                    name=f"Groupe {g + 1}",
                    locked=False,
                )
                names = ["Ana", "ana", "Bérénice"] if g == 0 else [f"Écrivain {g}{i}" for i in range(3)]
                participants = []
                for i, name in enumerate(names):
                    own_hash = token_hash if (n, g, i) == (0, 0, 0) else new_token()[1]
                    participants.append(
                        insert(
                            connection,
                            "participants",
                            workshop_id=workshop,
                            group_id=group,
                            display_name=name,
                            token_hash=own_hash,
                            color="#9a3412",
                        )
                    )
                story = insert(
                    connection, "stories", workshop_id=workshop, group_id=group, title=f"Récit {g + 1}",
                    summary="", credit_anonymous=False, credits="", length=0, published_markdown="",
                    published_html="", search_text="", published_words=0,
                )  # fmt: skip
                client_ids = [1000 + story * 10 + i for i in range(len(participants))]
                for client, participant in zip(client_ids, participants, strict=True):
                    insert(
                        connection,
                        "story_clients",
                        story_id=story,
                        client_id=client,
                        participant_id=participant,
                    )
                updates = typed_story(client_ids, seed=story)
                for seq, (client, update) in enumerate(updates, start=1):
                    author = participants[client_ids.index(client)]
                    insert(
                        connection, "story_updates", story_id=story, seq=seq, data=update, author_id=author
                    )
                stories[story] = crdt.text_of(update for _, update in updates)
                if status == "finished":
                    connection.execute(
                        text(
                            "UPDATE stories SET published_at = now(), published_markdown = :md, length = :n"
                            " WHERE id = :id"
                        ),
                        {"md": stories[story], "n": len(stories[story]), "id": story},
                    )
    engine.dispose()
    reader_story = min(stories)
    return {"stories": stories, "token": token, "reader_story": reader_story}


def test_upgrade_from_the_first_migration_keeps_every_story() -> None:
    with new_postgres_databases() as new_database:
        url = new_database()
        first = flask(url, "db", "upgrade", FIRST_MIGRATION)
        assert first.returncode == 0, first.stderr
        seeded = seed_first_schema(url)
        stories: dict[int, str] = seeded["stories"]
        assert all(len(story) > 80 for story in stories.values())
        assert {story_id: stored_text(url, story_id) for story_id in stories} == stories

        upgraded = flask(url, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                "SECRET_KEY": "x",
            }
        )
        with app.app_context():
            assert {story_id: persistence.load_text(story_id) for story_id in stories} == stories
            keys = db.session.execute(text("SELECT workshop_id, name_key FROM participants")).all()
            assert len(set(keys)) == len(keys) == 18
            assert sum(key.startswith("ana") for _, key in keys) == 4  # "Ana" and "ana", told apart
            published = db.session.execute(
                text("SELECT id, published_markdown FROM stories WHERE published_at IS NOT NULL")
            ).all()
            assert published
            assert all(markdown == stories[story_id] for story_id, markdown in published)
            with db.engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert diff == [], f"the upgraded PostgreSQL schema differs from the models: {diff}"
            db.engine.dispose()

        server = ServerProcess(url, env={"REDIS_URL": ""}).start()
        try:
            story_id = seeded["reader_story"]
            reader = example_module().StoryClient(server.url, seeded["token"], story_id)
            try:
                assert reader.synced.wait(10)
                assert wait_until(lambda: reader.text_now() == stories[story_id])
            finally:
                reader.close()
        finally:
            server.stop()
