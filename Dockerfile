# Plume's container image: the front end built with Node, then a slim Python runtime that runs as a
# non-root user, migrates the database on start and serves with gunicorn (gunicorn.conf.py).
#   docker build -t plume .
# The base images are build arguments, so a site without a registry can use its own (.ci/docker-base
# builds two from Debian with debootstrap): any Debian-like image with Node >= 18 and npm, and one with
# Python >= 3.11 and its venv module.
ARG NODE_IMAGE=node:22-bookworm-slim
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${NODE_IMAGE} AS frontend
WORKDIR /src
# npm trusts the system's certificates too (a site's proxy CA, if the base image trusts it).
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/build-frontend.mjs scripts/
COPY static/src static/src
RUN npm run build

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    PATH=/opt/plume/venv/bin:$PATH \
    FLASK_APP=app \
    PLUME_PORT=8000
# pg_dump and pg_restore, for `flask backup` and `flask restore` on PostgreSQL (docs/deploy.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/plume/venv
COPY requirements.txt /opt/plume/
RUN pip install --no-cache-dir -r /opt/plume/requirements.txt

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin plume
WORKDIR /app
COPY --chown=root:root . /app
COPY --from=frontend /src/static/dist /app/static/dist
RUN pybabel compile -d translations \
    && mkdir -p /app/instance && chown plume:plume /app/instance
# The SQLite database and the generated secret key live here when DATABASE_URL and SECRET_KEY are unset.
VOLUME /app/instance
USER plume
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PLUME_PORT']}/healthz\", timeout=4)"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
CMD ["serve"]
