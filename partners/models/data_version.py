import datetime
import time
import uuid

from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import version_mirror

READ_SQL = "SELECT token, changed_at, serial FROM %s WHERE id = 1"
# The serial grows by one, or to the clock if that is ahead (see DataVersion).
BUMP_SQL = (
    "UPDATE %s SET token = %%s, changed_at = %%s, "
    "serial = CASE WHEN serial + 1 > %%s THEN serial + 1 ELSE %%s END WHERE id = 1"
)


def new_token() -> str:
    return uuid.uuid4().hex


def clock_serial() -> int:
    """Microseconds since 1970: a new row's serial, and the least a bump sets."""
    return time.time_ns() // 1000


class DataVersion(models.Model):
    """The version of everything the public pages show; one row, changed by every write.

    Kept in the database, not in the cache, so that every app server and every management
    command sees the same version. The token is random rather than a counter, so a flushed and
    reloaded database (restore_data, a test run) never meets pages cached under an old number.
    The serial only orders versions for the Redis mirror (version_mirror.py): it grows by at
    least one with every bump, under the row's lock, and never falls behind the clock, so a
    version written after a flush or a restore is still newer than any mirrored before.
    """

    SINGLETON_ID = 1

    token = models.CharField(_("token"), max_length=32, default=new_token)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    serial = models.BigIntegerField(_("serial"), default=clock_serial)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data version")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="data_version_single_row")]

    def __str__(self) -> str:
        return self.token

    @classmethod
    def current(cls) -> version_mirror.Version:
        """The current version: outside a transaction from the Redis mirror when it holds
        one, else read by one query on the primary key (and offered to the mirror, which
        refuses it if it holds a newer one); created if the row is missing, as after `flush`.

        Plain SQL and a named tuple, not a model instance: every anonymous page reads it, and
        the ORM spends ten times the query's own cost compiling it (about 0.35 ms on this
        machine), a model instance a fifth of the page-cache hit's own Python time."""
        # Inside a transaction, its own uncommitted bump is what it must see.
        mirrored_here = version_mirror.enabled() and not connection.in_atomic_block
        if mirrored_here:
            mirrored = version_mirror.read()
            if mirrored is not None:
                return mirrored
        version = cls.read()
        if version is None:
            cls.bump()
            return cls.read()
        if mirrored_here:
            version_mirror.offer(version)
        return version

    @classmethod
    def read(cls) -> version_mirror.Version | None:
        """The version in the database (None without its row), never the mirror's."""
        # The connection itself, looked up once: every attribute read through the `connection`
        # proxy looks it up again in asgiref's Local (as much Python as the rest of the read).
        db = connections[DEFAULT_DB_ALIAS]
        row = fetch_one_as_health_check(db, READ_SQL % db.ops.quote_name(cls._meta.db_table))
        if row is None:
            return None
        token, changed_at, serial = row
        if isinstance(changed_at, str):  # SQLite keeps datetimes as text, in UTC
            changed_at = datetime.datetime.fromisoformat(changed_at)
        if changed_at.tzinfo is None:
            changed_at = changed_at.replace(tzinfo=datetime.UTC)
        return version_mirror.Version(serial, token, changed_at)

    @classmethod
    def bump(cls) -> "DataVersion":
        """Give the data a new version, inside the caller's transaction: a rolled-back write
        (an import preview, a failed import) rolls the new version back with it, so cached
        pages stay valid. With the mirror, the version committed is published once the
        outermost transaction commits. Returns the new version (its serial unread: another
        writer may commit a later one first)."""
        version = cls(pk=cls.SINGLETON_ID, token=new_token(), changed_at=timezone.now())
        # Plain SQL, as in current(): an import saving 5,000 rows bumps once per row, and the
        # ORM's update took 0.7 ms a bump on PostgreSQL here, mostly compiling it.
        floor = clock_serial()
        with connection.cursor() as cursor:
            cursor.execute(
                BUMP_SQL % connection.ops.quote_name(cls._meta.db_table),
                [
                    version.token,
                    connection.ops.adapt_datetimefield_value(version.changed_at),
                    floor,
                    floor,
                ],
            )
            updated = cursor.rowcount
        if not updated:
            cls.objects.get_or_create(
                pk=cls.SINGLETON_ID,
                defaults={"token": version.token, "changed_at": version.changed_at},
            )
        if version_mirror.enabled():
            publish_on_commit()
        return version


def fetch_one_as_health_check(db: BaseDatabaseWrapper, sql: str) -> tuple | None:
    """The first row of `sql` on `db`, the query standing in for the connection's health check
    (CONN_HEALTH_CHECKS) when it is the request's first on a kept connection.

    Django checks a kept connection with `SELECT 1` before the request's first query (and
    PostgreSQL answers it in a round trip of its own): on a page served from the cache, whose
    only query is the data version's, that doubled the database's share of the hit. A query that
    succeeds proves what the check would have; one that fails on a broken connection (a
    database restart) is what the check would have found, and is answered as Django answers a
    failed check: the connection is closed and the query sent again on a new one. Raises the
    database's error if the query fails on a usable connection."""
    checking = (
        db.connection is not None
        and db.health_check_enabled
        and not db.health_check_done
        and not db.in_atomic_block
    )
    if checking:
        db.health_check_done = True  # this query is the check
        try:
            with db.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchone()
        except (OperationalError, InterfaceError):
            if db.is_usable():
                raise
            db.close()
    with db.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def publish_committed_version() -> None:
    """Read the committed version and offer it to the mirror (refused if it holds a newer
    one, as when a later writer published first)."""
    version = DataVersion.read()
    if version is None:
        version_mirror.forget()
    else:
        version_mirror.offer(version)


def publish_on_commit() -> None:
    """Once per transaction, however many rows it writes: a callback that a rolled-back
    savepoint discarded (Django drops it from run_on_commit) is registered again by the next
    bump."""
    pending = connection.run_on_commit if connection.in_atomic_block else []
    if not any(entry[1] is publish_committed_version for entry in pending):
        transaction.on_commit(publish_committed_version)
