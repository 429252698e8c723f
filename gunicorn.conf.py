"""Gunicorn settings for Flask-SocketIO in threading mode (WebSocket through simple-websocket).

One worker: Socket.IO sessions live in a worker, so more workers need sticky sessions and REDIS_URL
(see docs/deploy.md). Threads serve many long-lived WebSocket connections at once.
"""

import os

workers = int(os.environ.get("PLUME_WORKERS", "1"))
threads = int(os.environ.get("PLUME_THREADS", "200"))
worker_class = "gthread"
timeout = 0  # long-lived WebSockets; gthread heartbeats keep the worker alive
graceful_timeout = 10
accesslog = os.environ.get("PLUME_ACCESS_LOG") or None
errorlog = "-"
