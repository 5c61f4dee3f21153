"""gunicorn for the portal, behind nginx (deploy/nginx.conf).

    PORTAL_DATABASE_URL=postgresql://portal@db/portal PORTAL_SECRET_KEY=... \
    PORTAL_BASE_URL=https://jobs.example.com PORTAL_PROXY_COUNT=1 \
    PORTAL_REDIS_URL=redis://127.0.0.1:6379/0 \
    gunicorn -c deploy/gunicorn.conf.py

Command-line options win over this file (e.g. --bind, --workers). The master checks the
settings and the schema once before any worker starts, so an unsafe setting or an old
schema stops it with one clear line instead of workers failing to boot in a loop.
"""

import os
import sys

wsgi_app = "portal:create_app()"

#: nginx reaches the app on loopback only; never expose gunicorn itself.
bind = "127.0.0.1:8000"

#: Sync workers, as gunicorn recommends behind a buffering proxy: nginx absorbs slow
#: clients. gthread workers measured no faster, with a worse p99 (docs/performance.md).
#: Two per core plus one; WEB_CONCURRENCY (gunicorn's own variable) overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"

#: A request that takes longer is a bug or a stuck database: the worker is restarted.
timeout = 30
graceful_timeout = 30

#: Workers are replaced now and then, so a slow leak never grows into an outage.
max_requests = 5000
max_requests_jitter = 500

#: Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

#: Each worker opens its own pooled database connections after the fork: preloading the
#: app would share the master's, which PostgreSQL's driver forbids.
preload_app = False

#: Access lines go to standard output (journald); candidate tokens are redacted from
#: them by the app (portal.candidates.redact).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

#: The app reads X-Forwarded-* itself (PORTAL_PROXY_COUNT, werkzeug's ProxyFix).
forwarded_allow_ips = "127.0.0.1"


def on_starting(server):
    """Refuse to start with unsafe settings (several workers on per-process rate limits
    among them) or a schema made by another version."""
    import click

    from portal import create_app
    from portal.settings import checks
    from portal.settings.checks import UnsafeSettings
    from portal.store import db
    from portal.store import schema

    try:
        app = create_app()
        found = checks.worker_problems(app, server.cfg.workers)
        if found:
            raise UnsafeSettings(" ".join(found))
        with app.app_context():
            schema.check_schema()
    except (UnsafeSettings, click.ClickException) as error:
        message = error.format_message() if isinstance(error, click.ClickException) else error
        print(f"portal: {message}", file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        # The check's connection must not be inherited by the workers.
        if db.database.obj is not None:
            db.database.close_all()
