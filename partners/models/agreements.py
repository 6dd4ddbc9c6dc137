"""A partner's agreements, and the agreement rule (docs/data-model.md, "Agreement")."""

import reversion
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .versioned import VersionedQuerySet


class Kind(models.TextChoices):
    SISTER = "sister", _("sister city")
    FRIENDLY = "friendly", _("friendly cooperation city")


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    ENDED = "ended", _("ended")


class AgreementQuerySet(VersionedQuerySet):
    def update(self, **kwargs) -> int:
        """VersionedQuerySet.update (a new data version), then a refresh of the partners'
        stored relationship (derived.py), which a queryset update would otherwise leave
        behind: it sends no signal."""
        from .derived import partners_changed

        with transaction.atomic():
            city_ids = set(self.values_list("city_id", flat=True))
            count = super().update(**kwargs)
            partners_changed(city_ids)
        return count


class AgreementManager(models.Manager.from_queryset(AgreementQuerySet)):
    def get_by_natural_key(self, city_slug: str, kind: str, signed_on: str) -> "Agreement":
        return self.get(city__slug=city_slug, kind=kind, signed_on=signed_on)


@reversion.register()
class Agreement(models.Model):
    city = models.ForeignKey(
        "City", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("partner city")
    )
    kind = models.CharField(_("relationship"), max_length=10, choices=Kind)
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    notes = models.TextField(_("internal notes"), blank=True)

    objects = AgreementManager()

    class Meta:
        ordering = ["city", "signed_on"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["city"],
                condition=~Q(status="ended"),
                name="agreement_one_current_per_city",
                violation_error_message=_("This partner already has a current agreement."),
            ),
            models.UniqueConstraint(
                fields=["city", "kind", "signed_on"],
                name="agreement_unique_kind_date_per_city",
                violation_error_message=_(
                    "This partner already has an agreement of this kind signed on this date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="ended") | Q(ended_on__isnull=True),
                name="agreement_ended_on_only_when_ended",
                violation_error_message=_("Only an ended agreement can have an end date."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("signed_on")),
                name="agreement_ends_after_signing",
                violation_error_message=_("An agreement cannot end before it was signed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} – {self.get_kind_display()} ({self.signed_on})"

    def save(self, *args, **kwargs) -> None:
        self.save_ending(self.superseded(), *args, **kwargs)

    def save_ending(self, previous: "Agreement | None", *args, **kwargs) -> None:
        """Save, ending `previous` (the agreement this one supersedes, or None) first, on this
        one's signing date; both or neither are written."""
        with transaction.atomic():
            if previous is not None:
                previous.status = Status.ENDED
                previous.ended_on = max(self.signed_on, previous.signed_on)
                previous.save(update_fields=["status", "ended_on"])
            super().save(*args, **kwargs)

    def natural_key(self) -> tuple[str, str, str]:
        return (self.city.slug, self.kind, self.signed_on.isoformat())

    natural_key.dependencies = ["partners.city"]

    @property
    def is_current(self) -> bool:
        return self.status != Status.ENDED

    def other_current(self) -> "Agreement | None":
        """The partner's current agreement other than this one, or None (one query)."""
        if self.city_id is None:
            return None
        return (
            Agreement.objects.filter(city_id=self.city_id)
            .exclude(status=Status.ENDED)
            .exclude(pk=self.pk)
            .first()
        )

    def superseded(self) -> "Agreement | None":
        """The city's other current agreement, which saving this one will end."""
        return self.other_current() if self.is_current else None

    def validate_succession(
        self,
        current: "Agreement | None",
        *,
        signing: bool = False,
        signed_on_given: bool = True,
        restoring: bool = False,
    ) -> None:
        """The agreement rule: check this agreement against the partner's current one.

        current: the partner's current (not ended) agreement, or None when it has none. The
        same agreement (same row, or same kind and signing date) is an update in place.
        signing: this agreement is given as the partner's new current relationship (a
        spreadsheet row, City.sign_agreement), so it may not start as ended, and a change of
        kind needs its own signing date (signed_on_given False: the date was taken over).
        restoring: this is a stored version put back as it was (a history restore), which
        ends nothing, so it may not be current beside another current agreement.
        Otherwise it is an agreement record edited in a form: a current one ends `current`
        on save, and an ended one is history that supersedes nothing.

        Whatever the current agreement, this one's dates may not lie after today
        (validate_dates).

        Raises ValidationError keyed by field name ("signed_on", "status", "ended_on", or
        none for a restore); the rule is docs/data-model.md's "Agreement".
        """
        self.validate_dates()
        if current is None or current.pk == self.pk and self.pk is not None:
            return
        if (current.kind, current.signed_on) == (self.kind, self.signed_on):
            return
        if restoring:
            if self.is_current:
                raise ValidationError(
                    _(
                        "This agreement has been replaced by a newer current agreement, so "
                        "this version cannot be restored on its own. Restore the partner's "
                        "version from its history instead."
                    )
                )
            return
        if not self.is_current:
            if not signing:
                return
            # Ending means ending the current agreement in place; a new ended agreement
            # would leave the current one active.
            raise ValidationError(
                {
                    "status": _(
                        "A new agreement cannot start as ended. To end the partnership, keep "
                        "the current kind and signing date (%(kind)s, %(date)s) and write "
                        "ended."
                    )
                    % {"kind": current.kind, "date": current.signed_on.isoformat()}
                }
            )
        if signing and self.kind != current.kind and not signed_on_given:
            raise ValidationError(
                {
                    "signed_on": _(
                        "A different kind is a new agreement: give its signing date, on or "
                        "after the current agreement's (%(date)s)."
                    )
                    % {"date": current.signed_on.isoformat()}
                }
            )
        if self.signed_on and self.signed_on < current.signed_on:
            raise ValidationError(
                {
                    "signed_on": _(
                        "A new current agreement must be signed on or after the current one "
                        "(%(date)s), which it replaces."
                    )
                    % {"date": current.signed_on.isoformat()}
                }
            )

    def validate_dates(self) -> None:
        """Neither signed nor ended after today (the local date): a future signing date
        would end the current agreement today for one that does not exist yet."""
        today = timezone.localdate()
        errors = {}
        if self.signed_on and self.signed_on > today:
            errors["signed_on"] = _(
                "An agreement cannot be signed after today (%(today)s): record it once it "
                "has been signed."
            ) % {"today": today.isoformat()}
        if self.ended_on and self.ended_on > today:
            errors["ended_on"] = _(
                "An agreement cannot end after today (%(today)s): record the end once it "
                "has happened."
            ) % {"today": today.isoformat()}
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def validate_new_together(agreements: "list[Agreement]") -> None:
        """Agreements added in one submission: at most one of them current, because each
        ends the one current before it and the outcome would depend on their order.
        Raises ValidationError (no field)."""
        if sum(1 for agreement in agreements if agreement.is_current) > 1:
            raise ValidationError(
                _("Add one current agreement at a time; mark the older ones as ended.")
            )

    def clean(self) -> None:
        self.validate_succession(self.other_current())

    def validate_constraints(self, exclude=None) -> None:
        # save() ends the agreement this one supersedes, so "one current agreement"
        # is not an error at form time.
        exclude = set(exclude or ())
        if self.superseded():
            exclude.add("city")
        super().validate_constraints(exclude=exclude)
