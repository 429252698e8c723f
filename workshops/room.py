"""Joining from the room: whether a link can reach phones on the local network, and which addresses can.

`python -m workshops.room HOST PORT` prints the addresses that phones in the room can use (`make run` calls
it); the share screen warns when its link points to this computer only.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from urllib.parse import urlsplit

ANY_ADDRESS = "0.0.0.0"  # noqa: S104 - compared with HOST and printed, never bound here
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(url: str) -> bool:
    """Whether the link's host is this computer only (localhost, 127.0.0.0/8, ::1): phones cannot open it."""
    host = (urlsplit(url).hostname or "").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses on its networks (no loopback), best guess first; [] when offline."""
    found: list[str] = []
    try:  # the address of the default route: no packet is sent by connecting a UDP socket
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    except OSError:
        pass
    unique = dict.fromkeys(a for a in found if not ipaddress.ip_address(a).is_loopback)
    return list(unique)


def advice(host: str, port: int | str) -> str:
    """What `make run` prints: the addresses phones can use, or how to serve on the local network."""
    listens_everywhere = host in (ANY_ADDRESS, "::", "")
    addresses = lan_addresses()
    lines = [f"Plume: serving on http://{host or ANY_ADDRESS}:{port}"]
    if is_loopback(f"http://{host}:{port}"):
        lines.append("  Only this computer can open it. For phones in the room, serve on the local network:")
        example = addresses[0] if addresses else "192.168.1.20"
        lines.append(f"    make run HOST=0.0.0.0 PLUME_PUBLIC_URL=http://{example}:{port}")
    elif listens_everywhere and addresses:
        lines.append("  Phones on the same network can use:")
        lines += [f"    http://{address}:{port}" for address in addresses]
        lines.append(
            f"  Set PLUME_PUBLIC_URL=http://{addresses[0]}:{port} so that links and QR codes use it."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(
        advice(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1", sys.argv[2] if len(sys.argv) > 2 else 5000)
    )
