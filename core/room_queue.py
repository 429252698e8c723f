"""Socket.IO's Redis queue, publishing an emit only when another worker has someone to give it to.

python-socketio's `RedisManager` publishes every emit, and every other worker decodes it and looks for the
room's members, most often to find none: behind the sticky nginx of docs/deploy.md a group's sockets are on
one worker, so a keystroke's relay has nobody elsewhere. Here each worker tells the others which rooms have
members on it, and an emit goes to Redis only when its room has members on another worker, or may have (a
room this worker does not know, such as another worker's socket; everything while it is not in sync).

The workers speak on the queue's own channel, in messages whose method starts with `plume:`:

- `room` (op `add` or `remove`): a room got its first member here, or lost its last. The others update their
  view and ack an add. Joining waits for those acks (up to `ACK_SECONDS`; from every subscriber until
  the first hello has shown which of them speak this protocol), so once `enter_room` returns, an emit to
  the room on any worker reaches the new member. Whatever was emitted before is in what that socket reads
  after joining (its state, its story's catch-up), since every change is stored before it is emitted.
- `hello` (carrying this worker's rooms) after each subscribe; every other worker answers `rooms` with its
  own. A worker is in sync once every subscriber that the hello's PUBLISH counted has answered. Until then,
  and after a missing ack or a lost subscription, it publishes every emit, as the stock manager does.
- `alive` every `HEARTBEAT_SECONDS`; a worker not heard from for `FORGET_SECONDS` leaves the views.

A room change and its announcement, or a snapshot and its answer, go out under one lock, so the others
receive them in the order they happened. Every worker must run this manager (one release on all of them).

While Redis is away, an emit reaches only this worker's sockets: `failed_publishes` counts the emits that
could not be published (a caller compares it before and after, e.g. to tell a facilitator that a broadcast
did not reach everyone), and once the listener has subscribed again each `on_resubscribed` hook runs (in a
background task), so that what the sockets of this worker missed can be sent again.

To see subscribe confirmations and lost connections, and to count the workers that a message reached, it
overrides python-socketio's private `_redis_connect`, `_listen` and `_publish`, and announces rooms from
`basic_enter_room`/`basic_leave_room`: seams `socketio-redis-queue` and `socketio-manager-state` of
docs/private-seams.md, guarded by tests/test_private_seams.py.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from socketio import RedisManager

log = logging.getLogger(__name__)

PREFIX = "plume:"
ACK_SECONDS = 2.0
HEARTBEAT_SECONDS = 10.0
FORGET_SECONDS = 35.0

Room = tuple[str, str]  # (namespace, room name)


class _Answers:
    """The workers' answers awaited for one message this worker published."""

    def __init__(self, event: Any) -> None:
        self.event = event
        self.expected: int | None = None  # known once PUBLISH has counted the subscribers
        self.hosts: set[str] = set()
        self.failed = False  # Redis refused the message: nobody will answer
        self.deadline = time.monotonic() + ACK_SECONDS

    def answer(self, host: str) -> None:
        self.hosts.add(host)
        self._check()

    def expect(self, count: int) -> None:
        self.expected = count
        self._check()

    def fail(self) -> None:
        self.failed = True
        self.event.set()

    def _check(self) -> None:
        if self.expected is not None and len(self.hosts) >= self.expected:
            self.event.set()

    def wait(self) -> bool:
        """Whether every worker answered before the deadline."""
        return bool(self.event.wait(max(0.0, self.deadline - time.monotonic()))) and not self.failed


class _WatchedPubSub:
    """A redis-py PubSub that reports when its connection is lost (the listener then resubscribes)."""

    def __init__(self, pubsub: Any, on_lost: Any) -> None:
        self._pubsub = pubsub
        self._on_lost = on_lost

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pubsub, name)

    def listen(self) -> Iterator[dict[str, Any]]:
        try:
            yield from self._pubsub.listen()
        except Exception:
            self._on_lost()
            raise


class RoomAwareRedisManager(RedisManager):
    """`RedisManager` that keeps an emit on this worker when no other worker has a member of its room."""

    name = "plume-redis"

    def __init__(self, url: str, channel: str = "flask-socketio", **options: Any) -> None:
        super().__init__(url, channel=channel, **options)
        self.views: dict[str, set[Room]] = {}  # worker id → rooms with members on that worker
        self.remote: dict[Room, set[str]] = {}  # room → the other workers with members in it
        self.seen: dict[str, float] = {}  # worker id → when it last spoke
        self.in_sync = False
        self.subscribed = False
        self._order = threading.Lock()  # room changes reach Redis in the order they happen here
        self._answers: dict[str, _Answers] = {}  # token → answers awaited
        self._joining: dict[Room, _Answers] = {}  # new rooms here whose acks are awaited
        self._generation = 0  # bumped by each (re)subscribe: a sync answers the latest one only
        self._syncing = False
        self._hosts_known = False  # a hello has had its time: the workers that answered are all there are
        self.failed_publishes = 0  # messages Redis refused (it was away)
        self.on_resubscribed: list[Any] = []  # hooks run once the listener subscribed again after a loss
        self._ever_subscribed = False

    def initialize(self) -> None:
        super().initialize()
        if not self.write_only:
            self.server.start_background_task(self._heartbeat)

    # ---- emitting -------------------------------------------------------------------------------

    def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        namespace = namespace or "/"
        if kwargs.get("ignore_queue") or not self.must_publish(namespace, room):  # this worker only
            return super().emit(
                event,
                data,
                namespace=namespace,
                room=room,
                skip_sid=skip_sid,
                callback=callback,
                ignore_queue=True,
            )
        return super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback)

    def must_publish(self, namespace: str, room: Any) -> bool:
        """Whether an emit to `room` may have a recipient on another worker."""
        if not self.in_sync or room is None:
            return True
        here = self.rooms.get(namespace, {})
        for name in room if isinstance(room, list | tuple) else (room,):
            if not isinstance(name, str) or name not in here or (namespace, name) in self.remote:
                return True
        return False

    # ---- this worker's rooms ----------------------------------------------------------------------

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: str | None = None) -> None:
        if not self._announced(sid, room) or room in self.rooms.get(namespace, {}):
            return super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        with self._order:
            super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
            if self.write_only:
                return
            answers = self._joining[(namespace, room)] = self._new_answers()
            message = {"method": PREFIX + "room", "op": "add", "ns": namespace, "room": room}
            # every subscriber until the first hello has shown which ones speak this protocol
            self._ask(answers, message, at_most=len(self.views) if self._hosts_known else None)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        if not self._announced(sid, room) or self.write_only or room not in self.rooms.get(namespace, {}):
            return super().basic_leave_room(sid, namespace, room)
        with self._order:
            super().basic_leave_room(sid, namespace, room)
            if room not in self.rooms.get(namespace, {}):
                self._joining.pop((namespace, room), None)
                self._publish(self._from_here("room", op="remove", ns=namespace, room=room))

    def enter_room(self, sid: str, namespace: str, room: Any, eio_sid: str | None = None) -> None:
        """Join; when the room is new here, return once the other workers know (see the module doc)."""
        super().enter_room(sid, namespace, room, eio_sid=eio_sid)
        key = (namespace, room)
        answers = self._joining.get(key)
        if answers is None:
            return
        if not answers.wait():
            log.warning("a worker did not ack room %s in %.0f s: publishing every emit", room, ACK_SECONDS)
            self._start_sync()
        if self._joining.get(key) is answers:
            del self._joining[key]

    @staticmethod
    def _announced(sid: str, room: Any) -> bool:
        """Named rooms are announced; a socket's own room (its sid) and the namespace's (None) are not."""
        return isinstance(room, str) and room != sid

    def _local_rooms(self) -> list[list[str]]:
        return [
            [namespace, room]
            for namespace, rooms in list(self.rooms.items())
            for room in list(rooms)
            if isinstance(room, str) and not self.is_sid_room(namespace, room)
        ]

    # ---- speaking to the other workers ------------------------------------------------------------

    def _from_here(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {"method": PREFIX + kind, "host": self.host_id, **fields}

    def _new_answers(self) -> _Answers:
        return _Answers(self.server.eio.create_event())

    def _ask(self, answers: _Answers, message: dict[str, Any], at_most: int | None = None) -> None:
        """Publish `message` (call under `_order`); `answers` then counts the workers that answer it.

        Every other subscriber is expected to answer, or only `at_most` of them (the workers known to speak
        this protocol: another subscriber, such as a monitoring tool, never answers).
        """
        token = uuid.uuid4().hex
        self._answers[token] = answers
        receivers = self._publish({**message, "host": self.host_id, "token": token})
        if receivers is None:  # Redis refused: nobody will answer
            self._answers.pop(token, None)
            answers.fail()
            return
        others = receivers - (1 if self.subscribed else 0)  # PUBLISH counts this worker's listener too
        answers.expect(others if at_most is None else min(others, at_most))
        if answers.event.is_set():
            self._answers.pop(token, None)

    def _answered(self, token: Any, host: str) -> None:
        answers = self._answers.get(token) if isinstance(token, str) else None
        if answers is None:
            return
        answers.answer(host)
        if answers.event.is_set():
            del self._answers[token]

    def _publish(self, data: Any) -> Any:
        """Publish; None (and `failed_publishes` counted) when Redis refused it after a retry."""
        receivers = super()._publish(data)
        if receivers is None:
            self.failed_publishes += 1
        return receivers

    # ---- listening ----------------------------------------------------------------------------------

    def _redis_connect(self) -> None:
        super()._redis_connect()
        # subscribe confirmations too (each starts a sync), and word of a lost connection
        self.pubsub = _WatchedPubSub(self.redis.pubsub(), self._lost)

    def _lost(self) -> None:
        self.subscribed = False
        self.in_sync = False

    def _subscribed(self) -> None:
        self.subscribed = True
        self._start_sync()
        if self._ever_subscribed:  # again, after a loss: what this worker's sockets missed may be sent again
            for hook in list(self.on_resubscribed):
                self.server.start_background_task(hook)
        self._ever_subscribed = True

    def _listen(self) -> Iterator[dict[str, Any]]:
        channel = self.channel.encode("utf-8")
        for message in self._redis_listen_with_retries():
            if message.get("channel") != channel:
                continue
            if message["type"] == "subscribe":
                self._subscribed()
            elif message["type"] == "message":
                try:
                    data = self.json.loads(message["data"])
                except ValueError:
                    continue
                if not isinstance(data, dict):
                    continue
                method = data.get("method")
                if isinstance(method, str) and method.startswith(PREFIX):
                    try:
                        self._on_control(method[len(PREFIX) :], data)
                    except Exception:
                        log.exception("room message %s failed", method)
                else:
                    yield data

    def _on_control(self, kind: str, data: dict[str, Any]) -> None:
        host = data.get("host")
        if not isinstance(host, str) or host == self.host_id:
            return
        self.seen[host] = time.monotonic()
        to_me = data.get("to") == self.host_id
        if kind == "room":
            self._apply(host, data.get("op"), data.get("ns"), data.get("room"))
            if data.get("op") == "add":
                self._publish(self._from_here("ack", to=host, token=data.get("token")))
        elif kind == "ack" and to_me:
            self._answered(data.get("token"), host)
        elif kind == "hello":
            self._replace(host, data.get("rooms"))
            with self._order:
                rooms = self._local_rooms()
                self._publish(self._from_here("rooms", to=host, token=data.get("token"), rooms=rooms))
        elif kind == "rooms" and to_me:
            self._replace(host, data.get("rooms"))
            self._answered(data.get("token"), host)
        elif kind == "alive" and host not in self.views:
            self._start_sync()  # a worker this one forgot, or whose hello it missed: ask everyone again

    def _apply(self, host: str, op: Any, namespace: Any, room: Any) -> None:
        if not isinstance(namespace, str) or not isinstance(room, str):
            return
        view = self.views.setdefault(host, set())
        key = (namespace, room)
        if op == "add":
            view.add(key)
            self.remote.setdefault(key, set()).add(host)
        elif op == "remove":
            view.discard(key)
            self._drop(key, host)

    def _replace(self, host: str, rooms: Any) -> None:
        self._forget(host)
        self.views[host] = set()
        for pair in rooms if isinstance(rooms, list) else []:
            if isinstance(pair, list) and len(pair) == 2:
                self._apply(host, "add", *pair)

    def _forget(self, host: str) -> None:
        for key in self.views.pop(host, set()):
            self._drop(key, host)

    def _drop(self, key: Room, host: str) -> None:
        hosts = self.remote.get(key)
        if hosts is not None:
            hosts.discard(host)
            if not hosts:
                del self.remote[key]

    # ---- staying in sync ----------------------------------------------------------------------------

    def _start_sync(self) -> None:
        self.in_sync = False
        self._generation += 1
        if not self._syncing:
            self._syncing = True
            self.server.start_background_task(self._sync)

    def _sync(self) -> None:
        """Say hello until every worker answered the latest one; then emits may stay here."""
        try:
            while True:
                generation = self._generation
                answers = self._new_answers()
                with self._order:
                    self._ask(answers, {"method": PREFIX + "hello", "rooms": self._local_rooms()})
                done = answers.wait()
                self._hosts_known = True
                if generation != self._generation:
                    continue
                if done and self.subscribed:
                    self.in_sync = True
                    return
                log.warning("not every worker answered hello: publishing every emit until they do")
                self.server.sleep(HEARTBEAT_SECONDS)
        except Exception:
            log.exception("room sync failed: publishing every emit")
        finally:
            self._syncing = False

    def _heartbeat(self) -> None:
        while True:
            self.server.sleep(HEARTBEAT_SECONDS)
            try:
                self._publish(self._from_here("alive"))
                now = time.monotonic()
                for host, seen in list(self.seen.items()):
                    if now - seen > FORGET_SECONDS:
                        del self.seen[host]
                        self._forget(host)
                for token, answers in list(self._answers.items()):
                    if answers.deadline < now:  # a worker that never answered: its waiter gave up
                        self._answers.pop(token, None)
            except Exception:
                log.exception("room heartbeat failed")
