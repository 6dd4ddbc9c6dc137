import reversion
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .compiled import first_of
from .text import Localized
from .versioned import VersionedManager


@reversion.register()
class HomeCity(models.Model):
    """The city whose partnerships the portal shows, and its introduction; one row only."""

    SINGLETON_ID = 1

    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ko = models.CharField(_("name (Korean)"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    slogan_en = models.CharField(_("slogan (English)"), max_length=200, blank=True)
    slogan_ko = models.CharField(_("slogan (Korean)"), max_length=200, blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=200, blank=True)
    headline_ko = models.CharField(_("headline (Korean)"), max_length=200, blank=True)
    title_en = models.CharField(_("page title (English)"), max_length=200)
    title_ko = models.CharField(_("page title (Korean)"), max_length=200)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_ko = models.TextField(_("introduction (Korean)"), blank=True)
    # The office that publishes the data and answers questions about it; every page's
    # footer names it, as Korean public-sector pages do (담당 부서, 연락처).
    office_en = models.CharField(_("responsible office (English)"), max_length=200, blank=True)
    office_ko = models.CharField(_("responsible office (Korean)"), max_length=200, blank=True)
    office_address_en = models.CharField(_("office address (English)"), max_length=300, blank=True)
    office_address_ko = models.CharField(_("office address (Korean)"), max_length=300, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    office_email = models.EmailField(_("office email"), blank=True)
    office_url = models.URLField(_("office web page"), blank=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("home city and introduction")
        verbose_name_plural = _("home city and introduction")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="home_city_single_row"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="home_city_coordinates_in_range",
                violation_error_message=_("Coordinates are out of range."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "HomeCity | None":
        return first_of(cls, "home-city", lambda: cls.objects.filter(pk=cls.SINGLETON_ID))

    name = Localized()

    slogan = Localized()

    headline = Localized()

    title = Localized()

    intro = Localized()

    office = Localized()

    office_address = Localized()
