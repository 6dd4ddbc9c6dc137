import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return uuid.uuid4().hex


class DataVersion(models.Model):
    """The version of everything the public pages show; one row, changed by every write.

    Kept in the database, not in the cache, so that every app server and every management
    command sees the same version. The token is random rather than a counter, so a flushed and
    reloaded database (restore_data, a test run) never meets pages cached under an old number.
    """

    SINGLETON_ID = 1

    token = models.CharField(_("token"), max_length=32, default=new_token)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data version")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="data_version_single_row")]

    def __str__(self) -> str:
        return self.token

    @classmethod
    def current(cls) -> "DataVersion":
        """The current version (one query by primary key); created if the row is missing,
        as after `flush`."""
        version = cls.objects.filter(pk=cls.SINGLETON_ID).first()
        return version or cls.bump()

    @classmethod
    def bump(cls) -> "DataVersion":
        """Give the data a new version, inside the caller's transaction: a rolled-back write
        (an import preview, a failed import) rolls the new version back with it, so cached
        pages stay valid. Returns the new version."""
        version = cls(pk=cls.SINGLETON_ID, token=new_token(), changed_at=timezone.now())
        updated = cls.objects.filter(pk=cls.SINGLETON_ID).update(
            token=version.token, changed_at=version.changed_at
        )
        if not updated:
            cls.objects.get_or_create(
                pk=cls.SINGLETON_ID,
                defaults={"token": version.token, "changed_at": version.changed_at},
            )
        return version
