"""Across workers: a facilitator's `facilitator:command` on one worker reaches participants on another.

The facilitator signs in over HTTP (the login form, its CSRF token and session cookie) and connects its
socket to worker A; participants connect with their tokens to worker B; both straight to the workers'
ports, so which worker is which is certain. Each `broadcast` is timed from the emit to each participant's
`workshop:state` carrying the message (through Redis).
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from typing import Any

import requests
import socketio

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sign_in(base: str, email: str, password: str) -> str:
    """The session cookie header of a signed-in facilitator."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10)
    token = CSRF.search(page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    form = {"email": email, "password": password, "csrf_token": token.group(1)}
    answer = session.post(f"{base}/login", data=form, allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in refused ({answer.status_code})")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def measure(
    facilitator_url: str, participant_url: str, plan: dict[str, Any], rounds: int = 5
) -> dict[str, Any]:
    """Send `rounds` broadcasts from worker A; return how many reached each participant on B, and when."""
    seen: dict[str, list[float]] = {}
    lock = threading.Lock()
    participants = []
    for token in plan["groups"][0]["tokens"][:3]:
        client = socketio.Client(reconnection=False, serializer="msgpack")

        @client.on("workshop:state")
        def on_state(state: dict[str, Any], _client: socketio.Client = client) -> None:
            message = state.get("broadcast") if isinstance(state, dict) else None
            if message:
                with lock:
                    seen.setdefault(message, []).append(time.monotonic())

        client.connect(participant_url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        participants.append(client)
    cookie = sign_in(facilitator_url, plan["facilitator"]["email"], plan["facilitator"]["password"])
    facilitator = socketio.Client(reconnection=False, serializer="msgpack")
    auth = {"role": "facilitator", "workshop_id": plan["workshop_id"]}
    facilitator.connect(
        facilitator_url, auth=auth, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10
    )
    latencies, acks = [], []
    try:
        for n in range(rounds):
            message = f"Bench broadcast {n} at {time.time():.3f}"
            sent = time.monotonic()
            command = {"action": "broadcast", "message": message}
            ack = facilitator.call("facilitator:command", command, timeout=10)
            acks.append(bool(ack and ack.get("ok")))
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and len(seen.get(message, [])) < len(participants):
                time.sleep(0.005)
            latencies += [at - sent for at in seen.get(message, [])]
            time.sleep(0.2)
    finally:
        facilitator.disconnect()
        for client in participants:
            client.disconnect()
    expected = rounds * len(participants)
    return {
        "rounds": rounds,
        "acked": sum(acks),
        "reached": f"{len(latencies)}/{expected}",
        "all_reached": len(latencies) == expected and all(acks),
        "latency_ms_median": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_ms_max": round(1000 * max(latencies), 1) if latencies else None,
    }


def polling_sticks(proxy_url: str, plan: dict[str, Any], clients: int = 4) -> dict[str, Any]:
    """Long-polling sessions through the proxy (several requests each) stay on their worker.

    Half the clients add `?affinity=...` (placed by it), half do not (placed by their address, as
    browsers are today); each opens its story, which needs its session to be found on every request.
    """
    tokens = [token for group in plan["groups"] for token in group["tokens"]][:clients]
    opened = 0
    for n, token in enumerate(tokens):
        client = socketio.Client(reconnection=False, serializer="msgpack")
        url = f"{proxy_url}?affinity=poll{n}" if n % 2 else proxy_url
        story_id = next(g["story_id"] for g in plan["groups"] if token in g["tokens"])
        try:
            client.connect(url, auth={"token": token}, transports=["polling"], wait_timeout=10)
            for _ in range(3):
                ack = client.call("story:open", {"story_id": story_id}, timeout=10)
                opened += bool(ack and ack.get("ok"))
        except (socketio.exceptions.SocketIOError, OSError):
            pass
        finally:
            client.disconnect()
    return {"polling_opens": f"{opened}/{3 * len(tokens)}", "polling_sticky": opened == 3 * len(tokens)}
