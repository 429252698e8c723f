"""A minimal Plume story client in Python: python-socketio + pycrdt (see docs/protocol.md).

    client = StoryClient("http://127.0.0.1:5000", token, story_id)   # token from POST /api/v1/join
    client.synced.wait(5)
    client.append("Hello from Python. ")   # returns once the server has stored the change
    print(client.text_now())
    client.close()

Socket.IO packets are MessagePack (`serializer="msgpack"`), as the server speaks them. The test suite
runs this file against a real server (tests/stories/test_sync_sockets.py).
"""

from __future__ import annotations

import threading

import socketio
from pycrdt import (
    Decoder,
    Doc,
    Text,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    get_update,
    handle_sync_message,
    read_message,
)


def fully_applies(doc: Doc, update: bytes) -> bool:
    """Whether every struct and deletion of `update` is part of `doc` (none waits for a missing one)."""
    state = doc.get_state()
    missing = Decoder(get_update(update, state))
    if missing.read_var_uint() != 0:
        return False
    states = Decoder(state)
    known = {states.read_var_uint(): states.read_var_uint() for _ in range(states.read_var_uint())}
    for _ in range(missing.read_var_uint()):
        client = missing.read_var_uint()
        for _ in range(missing.read_var_uint()):
            clock, length = missing.read_var_uint(), missing.read_var_uint()
            if clock + length > known.get(client, 0):
                return False
    return True


class StoryClient:
    def __init__(self, url: str, token: str, story_id: int) -> None:
        self.story_id = story_id
        self.doc: Doc = Doc()
        self.text = self.doc.get("body", type=Text)  # the story is the Yjs text named "body"
        self.synced = threading.Event()  # set once the server's sync step 2 is applied
        self._lock = threading.Lock()  # one change at a time on the document
        self._send_lock = threading.Lock()  # our changes go out one at a time, in order
        self._waiting: list[bytes] = []  # received updates whose dependencies have not arrived yet
        self._outbox: list[bytes] = []
        self._typing = False
        self.writable = False
        self._opened = threading.Event()
        self.doc.observe(lambda event: self._outbox.append(event.update) if self._typing else None)

        self.sio = socketio.Client(reconnection=False, serializer="msgpack")
        self.sio.on("yjs", self._on_yjs)
        self.sio.connect(url, auth={"token": token}, transports=["websocket"])
        ack = self.sio.call("story:open", {"story_id": story_id})
        if not ack["ok"]:
            raise PermissionError(ack["error"]["code"])
        self.writable = ack["writable"]
        self._opened.set()
        self.sio.emit("yjs", (story_id, create_sync_message(self.doc)))  # our sync step 1

    def _on_yjs(self, story_id: int, message: bytes) -> None:
        """A message from the server: sync step 1 (answer it), step 2 or update (apply), awareness."""
        if story_id != self.story_id or message[0] != YMessageType.SYNC:
            return  # awareness (other people's cursors) is not used here
        if message[1] == YSyncMessageType.SYNC_STEP1:  # it may come before the open's ack
            self._opened.wait(10)
            with self._lock:
                reply = handle_sync_message(message[1:], self.doc)
            if self.writable:  # our step 2: whatever the server lacks (e.g. edits made offline)
                with self._send_lock:
                    self.sio.emit("yjs", (story_id, reply), callback=lambda ack: None)
            return
        self._receive(read_message(message[2:]))
        if message[1] == YSyncMessageType.SYNC_STEP2:
            self.synced.set()

    def _receive(self, update: bytes) -> None:
        """Apply an update once everything it builds on is here.

        Messages can arrive out of order (python-socketio runs each event in its own thread), and pycrdt
        loses text when it holds several incomplete updates itself, so each one is tried on a copy first.
        """
        with self._lock:
            self._waiting.append(update)
            progress = True
            while progress:
                progress = False
                for waiting in list(self._waiting):
                    trial = Doc()
                    trial.apply_update(self.doc.get_update())
                    trial.apply_update(waiting)
                    if fully_applies(trial, waiting):
                        self.doc.apply_update(waiting)
                        self._waiting.remove(waiting)
                        progress = True

    def _send_local_changes(self) -> None:
        while self._outbox:
            message = create_update_message(self._outbox.pop(0))
            with self._send_lock:
                ack = self.sio.call("yjs", (self.story_id, message))  # answered once stored
            if not ack["ok"]:
                raise RuntimeError(ack["error"]["code"])  # locked, forbidden, too_large, malformed

    def append(self, text: str) -> None:
        with self._lock:
            self._typing = True
            self.text += text
            self._typing = False
        self._send_local_changes()

    def insert(self, index: int, text: str) -> None:
        """Insert at `index`, counted like pycrdt counts: in UTF-8 bytes."""
        with self._lock:
            self._typing = True
            self.text.insert(index, text)
            self._typing = False
        self._send_local_changes()

    def text_now(self) -> str:
        with self._lock:
            return str(self.text)

    def close(self) -> None:
        self.sio.emit("story:close", {"story_id": self.story_id})
        self.sio.disconnect()
