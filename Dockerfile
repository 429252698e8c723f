# Plume's container image: the front end built with Node, then a slim Python runtime that runs as a
# non-root user, upgrades the database on start and serves with gunicorn (gunicorn.conf.py).
#   docker build -t plume .
# The base images are build arguments, so a site without a registry can use its own (.ci/docker-base
# builds two from Debian with debootstrap): any Debian-like image with Node >= 18 and npm, and one with
# Python >= 3.11 and its venv module. Few instructions: each is a layer, and some storage drivers (vfs)
# copy the whole file system for every one.
ARG NODE_IMAGE=node:22-bookworm-slim
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${NODE_IMAGE} AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/build-frontend.mjs scripts/
COPY static/src static/src
# npm also trusts the system's certificates (a site's proxy CA, when the base image trusts it).
RUN NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm ci --no-audit --no-fund --loglevel=error \
    && npm run build

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/plume/venv/bin:$PATH \
    FLASK_APP=app \
    PLUME_PORT=8000
COPY requirements.txt /opt/plume/
# postgresql-client: pg_dump and pg_restore, for `flask backup` and `flask restore` (docs/deploy.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/plume/venv \
    && PIP_CERT=/etc/ssl/certs/ca-certificates.crt pip install --no-cache-dir -r /opt/plume/requirements.txt \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin plume
WORKDIR /app
COPY . /app
COPY --from=frontend /src/static/dist /app/static/dist
# The SQLite database and the generated secret key live in /app/instance when DATABASE_URL and
# SECRET_KEY are not set: mount a volume there to keep them.
RUN pybabel compile -d translations \
    && mkdir -p /app/instance && chown plume:plume /app/instance
USER plume
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PLUME_PORT']}/healthz\", timeout=4)"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
CMD ["serve"]
