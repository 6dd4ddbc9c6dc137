"""Staff confirmations of data-check warnings (partners/checks), and the admin's report of
the warnings still open."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .partners import City
from .versioned import VersionedManager


class CheckConfirmation(models.Model):
    """A staff member checked a value a data check warned about: the same check on the same
    value of the same partner does not warn again; a changed value does."""

    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        related_name="check_confirmations",
        verbose_name=_("partner city"),
    )
    check_code = models.CharField(_("check"), max_length=40)
    field = models.CharField(_("field"), max_length=40)
    value = models.CharField(_("value"), max_length=300)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("checked value")
        verbose_name_plural = _("checked values")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "check_code", "field", "value"],
                name="check_confirmation_unique_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.check_code} {self.field}={self.value}"


class DataWarningReport(City):
    """The admin's report of open data-check warnings (partners/admin/data_checks.py). A
    proxy, so the report has its own admin page and permission."""

    class Meta:
        proxy = True
        verbose_name = _("data check warning")
        verbose_name_plural = _("data check warnings")
