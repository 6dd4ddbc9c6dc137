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
# decodes to up to 160 MB of pixels), so a worker still holding more than this many MiB once it
# has answered a request is replaced. It is checked after the request: budget this much per
# worker plus the largest request (a worker can pass it while it works).
# Not max_requests: replacing every worker after 500 requests, whatever its memory, restarted
# each worker every second or two under load, each new one importing Django again with an
# empty page cache, and cut the cached pages from 2,400-3,100 to 470-920 a second with a p99 of
# 0.4-1.3 s (wrk, 2 workers, 34 partners; issue 13).
WORKER_MAX_MEMORY_MIB = int(os.environ.get("PORTAL_WORKER_MAX_MEMORY_MIB", "250"))


def resident_mib() -> float:
    """This process's resident memory now, in MiB (Linux's /proc/self/statm counts pages)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def post_worker_init(worker) -> None:
    """Leave the bound off in a worker that is past it with the portal just loaded: it would
    be replaced after every request (the bound is set too low for this data)."""
    worker.memory_bound = resident_mib() < WORKER_MAX_MEMORY_MIB
    if not worker.memory_bound:
        worker.log.warning(
            "PORTAL_WORKER_MAX_MEMORY_MIB (%s) is below a new worker's memory: not applied",
            WORKER_MAX_MEMORY_MIB,
        )


def post_request(worker, req, environ, resp) -> None:
    """Replace this worker after the request if it holds more memory than the bound: gunicorn's
    own max_requests stops a worker the same way (alive = False: it finishes, then exits, and
    the arbiter starts another). The peak (ru_maxrss, KiB on Linux) is read first, as it costs
    no file read: a worker whose memory never passed the bound reads nothing more."""
    if (
        worker.memory_bound
        and resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > WORKER_MAX_MEMORY_MIB * 1024
        and resident_mib() > WORKER_MAX_MEMORY_MIB
    ):
        worker.log.info("Replacing worker %s: its memory passed the bound", worker.pid)
        worker.alive = False
