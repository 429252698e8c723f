"""The feedback tests' shared fixture: a workshop, its people and their sockets on the live server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.feedback.test_comment_sockets import Setting
from tests.server import ServerProcess


@pytest.fixture
def setting(live_server: ServerProcess, app_ctx: Any) -> Iterator[Setting]:
    found = Setting(live_server)
    with ExitStack() as stack:
        yield found
        for client in found.clients:
            stack.callback(client.close)
