"""Presence: several sockets per participant, in one process or shared through a real Redis server."""

from __future__ import annotations

from workshops.presence import Entry, LocalPresence, RedisPresence


class Clock:
    """A settable time source, for the heartbeat's expiry."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_participant_is_connected_while_any_of_their_sockets_is() -> None:
    store = LocalPresence()
    store.add("phone", 1, 10)
    store.add("laptop", 1, 10)
    store.add("other", 1, 11)
    store.add("elsewhere", 2, 12)
    assert store.connected(1) == {10, 11}
    assert store.sids_of(1, 10) == ["laptop", "phone"]
    assert store.remove("phone") == Entry(1, 10)
    assert store.connected(1) == {10, 11}
    store.remove("laptop")
    assert store.connected(1) == {11}
    assert store.remove("laptop") is None  # a second disconnect of the same socket is harmless


def test_a_reconnect_that_overlaps_the_old_socket_keeps_the_participant_connected() -> None:
    store = LocalPresence()
    store.add("old", 1, 10)
    store.add("new", 1, 10)  # the reconnect arrives before the old socket's disconnect
    store.remove("old")
    assert store.connected(1) == {10}


def test_workers_share_presence_through_redis(redis_url: str) -> None:
    clock = Clock()
    first = RedisPresence(redis_url, ttl=60, clock=clock, heartbeat=False)
    second = RedisPresence(redis_url, ttl=60, clock=clock, heartbeat=False)
    first.add("a1", 7, 70)
    second.add("b1", 7, 71)
    second.add("b2", 7, 70)
    assert first.connected(7) == second.connected(7) == {70, 71}
    assert first.sids_of(7, 70) == ["a1", "b2"]
    first.remove("a1")
    assert second.connected(7) == {70, 71}
    second.remove("b2")
    assert first.connected(7) == {71}
    second.remove("b1")
    assert first.connected(7) == set()


def test_a_crashed_workers_sockets_expire_unless_the_heartbeat_refreshes_them(redis_url: str) -> None:
    clock = Clock()
    alive = RedisPresence(redis_url, ttl=30, clock=clock, heartbeat=False)
    crashed = RedisPresence(redis_url, ttl=30, clock=clock, heartbeat=False)
    alive.add("a", 8, 80)
    crashed.add("c", 8, 81)
    clock.now += 20
    alive.beat()
    clock.now += 20  # the crashed worker never beat: its socket is 40 s old, past the ttl
    assert alive.connected(8) == {80}
    alive.remove("a")
