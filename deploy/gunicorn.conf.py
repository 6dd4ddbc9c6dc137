"""gunicorn as deployed: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi` (README "Deploy").

Command-line options and GUNICORN_CMD_ARGS override these (e.g. --bind, --workers).
"""

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
# Worker memory bound: Python keeps the memory of the largest request a worker has held (that
# import took a worker from 79 to 114 MiB resident; a photo of PORTAL_MAX_IMAGE_PIXELS, 40 MP,
# decodes to up to 160 MB of pixels), so each worker is replaced after this many requests.
# With 3 workers, budget about 250 MiB each.
max_requests = 500
max_requests_jitter = 50
accesslog = "-"
