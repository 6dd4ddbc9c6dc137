"""The data version mirrored in Redis (PORTAL_VERSION_MIRROR_URL), so that an anonymous page
served from the cache costs one Redis GET instead of a database query and the connection's
health check.

Exactness: every bump publishes the committed version right after its transaction commits
(before the writer's response is sent), and a value is written only when its serial is greater
than the mirrored one (a compare-and-set in Redis), so a reader that read an old version from
the database, or a writer whose commit callback runs late, never replaces a newer version. A
missing key or an unreachable Redis falls back to the database.
"""

import datetime
import hashlib
import logging
from typing import NamedTuple

import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

# Sets KEYS[1] to ARGV[2] for ARGV[3] seconds unless it holds a serial (the value's first
# field) >= ARGV[1].
PUBLISH_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if current then
    local serial = tonumber(string.match(current, '^(%d+):'))
    if serial and serial >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""

# The mirror expires, and is read again from the database, after this long: that bounds how
# long a version could stay behind if Redis lost a publication (a network fault between a
# commit and its publication) without changing anything while Redis works.
KEPT_SECONDS = 300


class Version(NamedTuple):
    serial: int
    token: str
    changed_at: datetime.datetime


_client: redis.Redis | None = None


def enabled() -> bool:
    return bool(settings.PORTAL_VERSION_MIRROR_URL)


def client() -> redis.Redis:
    # Short timeouts: a stalled Redis costs a page the database query, not seconds.
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.PORTAL_VERSION_MIRROR_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _client


def key() -> str:
    """Per database name, so that two databases on one Redis (a test run, a benchmark) never
    read each other's version. The name only: app servers reaching one database by different
    host names (a pooler, an address) must still share the key."""
    name = str(connection.settings_dict["NAME"])
    return f"portal:data-version:{hashlib.sha256(name.encode()).hexdigest()[:16]}"


def encode(version: Version) -> str:
    return f"{version.serial}:{version.token}:{version.changed_at.isoformat()}"


def decode(value: bytes) -> Version:
    serial, token, changed_at = value.decode().split(":", 2)
    return Version(int(serial), token, datetime.datetime.fromisoformat(changed_at))


def read() -> Version | None:
    """The mirrored version, or None when there is none (or Redis does not answer)."""
    try:
        value = client().get(key())
    except redis.RedisError:
        logger.warning("data version mirror unreadable", exc_info=True)
        return None
    return decode(value) if value else None


def offer(version: Version) -> None:
    """Mirror `version` unless the mirror holds a newer (or the same) one."""
    try:
        client().eval(PUBLISH_SCRIPT, 1, key(), version.serial, encode(version), KEPT_SECONDS)
    except redis.RedisError:
        logger.warning("data version mirror not written", exc_info=True)
        forget()


def forget() -> None:
    """Drop the mirrored version, so that pages read the database until it is written again."""
    try:
        client().delete(key())
    except redis.RedisError:
        logger.error("data version mirror neither written nor dropped", exc_info=True)
