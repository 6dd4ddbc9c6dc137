"""The floor under `make bench`'s large responses (BENCH_FLOOR=1): a WSGI app that does nothing
but send a file, run by the same gunicorn as the portal (2 sync workers), so its rate is the
most any app on that server could reach sending those bytes over loopback to wrk.

/healthz answers "ok"; /<name> sends BENCH_FLOOR_DIR/<name> through wsgi.file_wrapper (gunicorn:
sendfile), as the portal sends its downloads.
"""

import os

FOLDER = os.environ["BENCH_FLOOR_DIR"]


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    file = open(os.path.join(FOLDER, os.path.basename(path)), "rb")  # noqa: SIM115 (gunicorn closes it)
    size = os.fstat(file.fileno()).st_size
    start_response(
        "200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))]
    )
    return environ["wsgi.file_wrapper"](file, 65536)
