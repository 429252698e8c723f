"""nginx in front of several Plume servers, configured from the block that docs/deploy.md documents.

The bench does not keep its own copy of the configuration: it takes the ```nginx block of the deploy notes,
points its upstream at the servers it started and its `listen` at a loopback port, and wraps it in the few
main-context lines a standalone nginx needs (pid, logs, temp paths, enough connections).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from subprocess import Popen

from bench import procs

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy.md"
UPSTREAM_SERVER = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+;.*$", re.MULTILINE)
LISTEN = re.compile(r"^(\s*)listen [^;]*;.*$", re.MULTILINE)

MAIN = """\
daemon off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/temp/body;
    proxy_temp_path {tmp}/temp/proxy;
    fastcgi_temp_path {tmp}/temp/fastcgi;
    uwsgi_temp_path {tmp}/temp/uwsgi;
    scgi_temp_path {tmp}/temp/scgi;
{site}
}}
"""


def documented_site() -> str:
    """The nginx block of docs/deploy.md, as written there."""
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOY.read_text(), re.DOTALL)
    if len(blocks) != 1:
        raise RuntimeError(f"docs/deploy.md should hold one ```nginx block, not {len(blocks)}")
    return blocks[0]


def site_for(backends: list[int], port: int) -> str:
    """The documented block, upstream set to `backends`, listening on 127.0.0.1:`port`, without TLS."""
    site = documented_site()
    first = UPSTREAM_SERVER.search(site)
    if first is None:
        raise RuntimeError("the documented upstream has no `server 127.0.0.1:PORT;` line")
    indent = first.group(1)
    servers = "\n".join(f"{indent}server 127.0.0.1:{backend};" for backend in backends)
    site = UPSTREAM_SERVER.sub("", site).replace("\n\n\n", "\n\n")
    site = site[: first.start()] + servers + site[first.start() :]
    site = LISTEN.sub(lambda m: f"{m.group(1)}listen 127.0.0.1:{port};", site, count=1)
    site = site.replace(" http2", "")
    return "\n".join(line for line in site.splitlines() if "ssl_certificate" not in line)


def ensure_installed() -> str:
    """The nginx binary; installs the Debian package when missing and run as root, else says how."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("nginx is missing: `sudo apt-get install -y nginx`, then run the bench again")
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "nginx"], check=True)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def start(backends: list[int], tmp: Path) -> tuple[Popen, str]:
    """nginx on a free loopback port in front of `backends`; returns it and its URL."""
    binary = ensure_installed()
    home = tmp / f"nginx-{'-'.join(map(str, backends))}"
    (home / "temp").mkdir(parents=True, exist_ok=True)
    (home / "temp").chmod(0o777)  # nginx's workers run as nobody when the master is root
    port = procs.free_port()
    conf = home / "nginx.conf"
    conf.write_text(MAIN.format(tmp=home, site=site_for(backends, port)))
    check = subprocess.run([binary, "-t", "-p", str(home), "-c", str(conf)], capture_output=True, text=True)
    if check.returncode:
        raise RuntimeError(f"nginx refused the configuration:\n{check.stderr}\n{conf.read_text()}")
    log = home / "stdout.log"
    process = procs.spawn([binary, "-p", str(home), "-c", str(conf)], log)
    procs.wait_until(procs.listens(port), process, log)
    return process, f"http://127.0.0.1:{port}"
