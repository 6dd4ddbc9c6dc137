import reversion
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .text import Localized


class Field(models.TextChoices):
    ADMINISTRATION = "administration", _("administration")
    ECONOMY = "economy", _("economy")
    EDUCATION = "education", _("education")
    CULTURE = "culture", _("culture")
    SPORTS = "sports", _("sports")
    TOURISM = "tourism", _("tourism")
    YOUTH = "youth", _("youth")
    OTHER = "other", _("other")


class ExchangeQuerySet(models.QuerySet):
    def published(self) -> "ExchangeQuerySet":
        return self.filter(is_published=True)


@reversion.register()
class Exchange(models.Model):
    city = models.ForeignKey(
        "City", on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("partner city")
    )
    field = models.CharField(_("field"), max_length=20, choices=Field)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="exchange_ends_after_start",
                violation_error_message=_("An exchange cannot end before it started."),
            ),
            models.CheckConstraint(
                condition=~Q(title_en="") | ~Q(title_ko=""),
                name="exchange_has_title",
                violation_error_message=_("Give the exchange a title in at least one language."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    title = Localized()

    summary = Localized()
