"""gunicorn as deployed: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi` (README "Deploy").

Command-line options and GUNICORN_CMD_ARGS override these (e.g. --bind, --workers).
"""

# nginx (deploy/nginx-portal.conf) is the only client; never expose this port.
bind = "127.0.0.1:8000"
# Sync workers: each request holds one, so 3 serve the office's staff and the public on 2 cores.
workers = 3
# The longest request is an admin import of PORTAL_MAX_IMPORT_ROWS (20,000) rows, 4.4 MB:
# through nginx on a shared 2-core machine its preview and its confirm each took 26-51 s
# over two runs (tests/test_deploy_proxy.py checks both finish within this timeout), so this
# leaves over 3 times the slowest. A worker past it is killed and the import's one
# transaction rolls back, so nothing is half-written.
timeout = 180
graceful_timeout = 30
# Worker memory bound: Python keeps the memory of the largest import a worker has held (that
# import took a worker from 59 to 235 MiB resident), so each worker is replaced after this
# many requests. With 3 workers, budget about 250 MiB each.
max_requests = 500
max_requests_jitter = 50
accesslog = "-"
