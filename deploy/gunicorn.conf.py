"""gunicorn settings for pufa's web tier: `gunicorn -c deploy/gunicorn.conf.py`.

WeChat waits 5 seconds for a reply, then retries; a worker must answer well inside that."""

import multiprocessing
import os

bind = os.environ.get("PUFA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PUFA_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
preload_app = True  # one loaded knowledge base, shared copy-on-write by every worker
wsgi_app = "bot.web.app:create_app()"
timeout = (
    20  # replaces a stuck worker; /wechat itself is cut at 5 s by nginx (deploy/nginx-pufa.conf)
)
graceful_timeout = 10
keepalive = 5
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
loglevel = "info"


def post_fork(server, worker):  # noqa: ARG001
    """Each worker opens its own database connections. The Store also does this through
    os.register_at_fork; the hook keeps it explicit where gunicorn is configured."""
    app = worker.app.wsgi()  # the preloaded Flask app
    app.extensions["pufa"].store.engine.dispose(close=False)
