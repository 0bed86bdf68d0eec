"""gunicorn settings for `make serve` and the benchmarks; the environment can override each."""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# 2 x cores + 1 sync workers (gunicorn's advice), capped so a big host does not exhaust
# PostgreSQL's connections: every worker keeps one persistent connection.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound (0: never; the benchmark
# sets that, or the floor's workers would restart every few seconds of its load).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Requests are logged by config.request_context.RequestIdMiddleware (JSON, with the request id).
accesslog = None
errorlog = "-"
# Several servers run side by side here (scale-out test, benchmarks): no shared control socket.
control_socket_disable = True
