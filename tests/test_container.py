"""The container image, built and run for real: a participant joins over HTTP and writes with a real Yjs
client (docs/example_client.py), which reads its text back from a second connection. And compose.yaml,
checked by `docker compose config` (or `docker-compose config`) where either is installed.

The image is built from local base images (`.ci/docker-base`: Debian by debootstrap, no registry) unless
PLUME_NODE_IMAGE and PLUME_PYTHON_IMAGE name others. It runs against DATABASE_URL's PostgreSQL (in a dep_*
database of its own) and REDIS_URL, or on SQLite inside the container when they are not set. Skipped,
saying why, where no Docker daemon can be had (`.ci/docker-daemon` starts one where it can).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from tests.databases import new_postgres_databases
from tests.server import free_port
from tests.stories.clients import example_module, wait_until
from version import VERSION

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"postgres", "redis", "migrate", "plume1", "plume2", "nginx"}


def run(*command: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(command[:3])} … failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="module")
def docker() -> str:
    """The docker client of a daemon that answers (one is started where `.ci/docker-daemon` can)."""
    found = run(str(ROOT / ".ci" / "docker-daemon"), timeout=60, check=False)
    if found.returncode != 0:
        pytest.skip(f"no Docker daemon: {found.stderr.strip()}")
    return found.stdout.strip()


@pytest.fixture(scope="module")
def image(docker: str) -> str:
    """Plume's image, built from the Dockerfile on base images made without a registry."""
    node, python = os.environ.get("PLUME_NODE_IMAGE"), os.environ.get("PLUME_PYTHON_IMAGE")
    if not (node and python):
        if shutil.which("debootstrap") is None or os.geteuid() != 0:
            pytest.skip(
                "no base images: set PLUME_NODE_IMAGE and PLUME_PYTHON_IMAGE, or run as root with debootstrap"
            )
        bases = run(str(ROOT / ".ci" / "docker-base"), docker, timeout=1500).stdout.split()
        python, node = bases[-2], bases[-1]
    tag = "plume:ci"
    build = [docker, "build", "--network=host", "--build-arg", f"NODE_IMAGE={node}"]
    build += ["--build-arg", f"PYTHON_IMAGE={python}", "-t", tag, "."]
    subprocess.run(build, cwd=ROOT, env={**os.environ, "DOCKER_BUILDKIT": "1"}, check=True, timeout=1500)
    return tag


@pytest.fixture
def database_and_redis() -> Iterator[dict[str, str]]:
    """The container's DATABASE_URL (a new dep_* PostgreSQL database) and REDIS_URL, or neither (SQLite)."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgresql://", "postgres://")):
        yield {}
        return
    with ExitStack() as stack:
        new_database = stack.enter_context(new_postgres_databases())
        env = {"DATABASE_URL": new_database()}
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        yield env


def health(docker: str, container: str) -> str:
    state = run(docker, "inspect", "--format", "{{json .State.Health}}", container).stdout
    return json.loads(state)["Status"]


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a first build downloads Debian, npm and PyPI packages
def test_the_image_serves_a_participant_who_writes(docker: str, image: str, database_and_redis) -> None:
    port = free_port()
    container = f"plume-test-{uuid.uuid4().hex[:8]}"
    env = {"SECRET_KEY": "container-test-key", "PLUME_ENV": "production", "PLUME_PORT": str(port)}
    env |= database_and_redis
    options = [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]
    run(docker, "run", "-d", "--name", container, "--network=host", *options, image)
    url = f"http://127.0.0.1:{port}"
    try:
        served = wait_until(lambda: _answers(url + "/healthz"), timeout=90, interval=0.5)
        assert served, run(docker, "logs", container, check=False).stderr[-3000:]
        assert requests.get(url + "/healthz", timeout=5).json() == {"status": "ok", "version": VERSION}
        assert requests.get(url + "/readyz", timeout=5).json()["ok"] is True
        assert f"Version {VERSION}" in requests.get(url + "/", timeout=5).text  # the built front end's page
        assert requests.get(url + "/static/dist/participant.js", timeout=5).status_code == 200
        assert run(docker, "exec", container, "id", "-u").stdout.strip() != "0"  # not root

        demo = json.loads(
            run(docker, "exec", container, "flask", "--app", "app", "demo").stdout.splitlines()[-1]
        )
        joined = requests.post(
            url + "/api/v1/join", json={"code": demo["join_code"], "name": "Ada in a container"}, timeout=10
        )
        assert joined.status_code == 201, joined.text
        token, story_id = joined.json()["token"], joined.json()["story_id"]
        story_client = example_module().StoryClient
        writer = story_client(url, token, story_id)
        try:
            assert writer.synced.wait(10)
            writer.append("Une ville où l’eau est commune. ")
            writer.append("Written through the image. 🌊")
            reader = story_client(url, token, story_id)
            try:
                assert reader.synced.wait(10)
                assert reader.text_now() == writer.text_now()
                assert reader.text_now().endswith("Written through the image. 🌊")
            finally:
                reader.close()
        finally:
            writer.close()

        backup = run(
            docker, "exec", container, "flask", "--app", "app", "backup", "/app/instance/plume.backup"
        )
        assert "Backed up" in backup.stdout  # pg_dump (or SQLite's backup) is in the image
        assert wait_until(lambda: health(docker, container) == "healthy", timeout=90, interval=1)
    finally:
        run(docker, "rm", "-f", container, check=False)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def compose_command() -> list[str] | None:
    for candidate in ("/usr/bin/docker", shutil.which("docker")):
        if candidate and run(candidate, "compose", "version", check=False).returncode == 0:
            return [candidate, "compose"]
    if shutil.which("docker-compose"):
        return [shutil.which("docker-compose") or "docker-compose"]
    return None


def test_compose_file_is_valid_and_runs_what_deploy_md_describes() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither the docker compose plugin nor docker-compose is installed")
    env = {**os.environ, "SECRET_KEY": "compose-check"}
    done = subprocess.run(
        [*command, "-f", "compose.yaml", "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    config = done.stdout
    services = set(re.findall(r"^  ([a-z0-9]+):$", config.split("\nvolumes:")[0], re.MULTILINE))
    assert services >= SERVICES
    assert config.count("REDIS_URL: redis://redis:6379/0") == 3  # migrate and both workers
    assert "service_completed_successfully" in config  # the workers start once the schema is upgraded
    missing_key = subprocess.run(
        [*command, "-f", "compose.yaml", "config"],
        cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "SECRET_KEY"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing_key.returncode != 0
    assert "SECRET_KEY" in missing_key.stderr


def test_compose_nginx_is_sticky_as_deploy_md_says() -> None:
    """deploy/nginx.conf has the `map`s and the `hash` of docs/deploy.md's block, and both containers."""
    documented = re.findall(r"```nginx\n(.*?)```", (ROOT / "docs" / "deploy.md").read_text(), re.DOTALL)[0]
    shipped = (ROOT / "deploy" / "nginx.conf").read_text()

    def maps(conf: str) -> list[str]:
        return re.findall(r"map \$\w+ \$\w+ \{.*?\}", conf, re.DOTALL)

    assert maps(shipped) == maps(documented)
    assert re.search(r"^\s*hash \$plume_affinity;", shipped, re.MULTILINE)
    assert re.findall(r"server (plume\d):8000;", shipped) == ["plume1", "plume2"]
    for header in ("Upgrade $http_upgrade", "Connection $plume_connection", "X-Forwarded-For"):
        assert header in shipped


def test_the_image_leaves_out_secrets_and_local_state() -> None:
    """compose's .env holds the SECRET_KEY; instance/ the SQLite database and a generated key."""
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", "instance", ".venv", "node_modules", ".git"} <= ignored
