"""The real app served by gunicorn in a child process, as `make run` serves it, on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """gunicorn running `app:create_app()`; `kill()` is a SIGKILL, `restart()` starts it again."""

    def __init__(self, database_url: str, env: dict[str, str] | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "PLUME_LOGIN_RATE": "1000 per minute",
            "PLUME_JOIN_RATE": "1000 per minute",
            "PLUME_TRANSACTION_GUARD": "1",  # a write held across a greenlet switch fails (core/transactions)
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = ROOT / "instance" / f"test-server-{self.port}.log"

    def start(self, timeout: float = 20) -> ServerProcess:
        self.log.parent.mkdir(exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                    "--bind", f"127.0.0.1:{self.port}", "app:create_app()",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text()[-2000:]
                raise RuntimeError(f"server exited with {self.process.returncode}: {tail}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):  # noqa: S310 (local URL)
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer in {timeout}s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown, no flush, like a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> ServerProcess:
        self.kill()
        return self.start()
