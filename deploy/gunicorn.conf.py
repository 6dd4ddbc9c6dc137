"""gunicorn as deployed: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi` (README "Deploy").

Command-line options and GUNICORN_CMD_ARGS override these (e.g. --bind, --workers).
"""

import os
import resource

# nginx (deploy/nginx-portal.conf) is the only client; never expose this port.
bind = "127.0.0.1:8000"
# Sync workers: each request holds one, so 3 serve the office's staff and the public on 2 cores.
workers = 3
# The longest request is an admin import of PORTAL_IMPORT_MAX_ROWS (5,000) rows, 1.1 MB:
# through nginx on a shared 2-core machine, loaded by a second test run, its preview took 15 s
# and its confirm 25 s (tests/test_deploy_proxy.py checks both finish within this timeout), so
# this leaves over 7 times the slowest. A worker past it is killed and the import's one
# transaction rolls back, so nothing is half-written.
timeout = 180
graceful_timeout = 30
accesslog = "-"
# Worker memory bound: Python keeps the memory of the largest request a worker has held (that
# import took a worker from 79 to 114 MiB resident; a photo of PORTAL_MAX_IMAGE_PIXELS, 40 MP,
# decodes to up to 160 MB of pixels), so a worker whose peak resident memory has passed this
# many MiB is replaced once its request is answered. With 3 workers, budget about 250 MiB each.
# Not max_requests: replacing every worker after 500 requests, whatever its memory, cut the
# cached pages from 2,800 to 530-670 requests a second with a p99 of 0.7-1.6 s, each new
# worker importing Django and starting with an empty page cache (issue 13).
WORKER_MAX_MEMORY_MIB = int(os.environ.get("PORTAL_WORKER_MAX_MEMORY_MIB", "250"))


def post_request(worker, req, environ, resp) -> None:
    """Replace this worker after the request if its peak memory passed the bound: gunicorn's
    own max_requests stops a worker the same way (alive = False: it finishes, then exits, and
    the arbiter starts another). ru_maxrss counts KiB on Linux, where the portal is deployed."""
    if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > WORKER_MAX_MEMORY_MIB * 1024:
        worker.log.info("Replacing worker %s: its memory passed the bound", worker.pid)
        worker.alive = False
