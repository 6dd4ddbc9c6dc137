import os
import subprocess
import sys
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

CHECK = """
import django
django.setup()
from django.conf import settings
from django.core.cache import caches
cache = caches["default"]
cache.set("{key}", "대전", 30)
print(settings.SESSION_ENGINE, cache.get("{key}"), cache.__class__.__name__)
cache.delete("{key}")
"""


def test_with_redis_url_the_cache_and_sessions_use_the_shared_redis_server():
    """Needs the Redis server on 127.0.0.1:6379 (.ci/run starts it when it is installed)."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "1",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(key=f"portal-test-{uuid.uuid4()}")],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.contrib.sessions.backends.cached_db",
        "대전",
        "RedisCache",
    ]
