from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import Agreement, AgreementDocument, City, Country, DataVersion, Exchange, Photo
from .models.derived import exchanges_changed, partners_changed


@receiver(post_save, sender=Agreement)
@receiver(post_delete, sender=Agreement)
@receiver(post_save, sender=Photo)
@receiver(post_delete, sender=Photo)
@receiver(post_save, sender=AgreementDocument)
@receiver(post_delete, sender=AgreementDocument)
def touch_partner(sender, instance, raw: bool = False, **kwargs) -> None:
    """A change to an agreement, photo or document is a change to its partner.

    City.updated_at is the optimistic-lock token of the partner form and its inlines, so an
    agreement edited elsewhere makes an open partner form stale. Raw saves (loaddata, a
    history restore) keep the recorded timestamps.
    """
    if not raw:
        City.objects.filter(pk=instance.city_id).touch()


def touch_partners(pks) -> None:
    City.objects.filter(pk__in=list(pks)).touch()


@receiver(post_save, sender=Exchange)
@receiver(pre_delete, sender=Exchange)
def touch_exchange_partners(sender, instance: Exchange, raw: bool = False, **kwargs) -> None:
    """An activity's partners show it on their pages, so a change to it changes them (their
    sitemap date, an open partner form). Before a delete, while its partners are still linked."""
    # loaddata (a restore) sets the partners right after its raw save, on the same instance,
    # and m2m_changed carries no `raw`: the mark lets that change keep the timestamps too.
    instance._saved_raw = raw
    if not raw and instance.pk is not None:
        touch_partners(instance.partners.values_list("pk", flat=True))


@receiver(m2m_changed, sender=Exchange.partners.through)
def touch_linked_partners(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Partners added to or removed from an activity (either side of the relation)."""
    if getattr(instance, "_saved_raw", False):
        return
    if action in ("post_add", "post_remove"):
        touch_partners([instance.pk] if reverse else pk_set)
    elif action == "pre_clear":
        if reverse:
            touch_partners([instance.pk])
        else:
            touch_partners(instance.partners.values_list("pk", flat=True))


# The stored relationship and search text (models/derived.py) follow every write, raw saves
# included: loaddata and a history restore write agreements and partners raw.
@receiver(post_save, sender=City)
def refresh_saved_partner(sender, instance: City, **kwargs) -> None:
    partners_changed([instance.pk])


@receiver(post_save, sender=Agreement)
@receiver(post_delete, sender=Agreement)
def refresh_agreement_partner(sender, instance: Agreement, **kwargs) -> None:
    partners_changed([instance.city_id])


@receiver(post_save, sender=Country)
def refresh_country_partners(sender, instance: Country, **kwargs) -> None:
    """Its names are in its partners' search text."""
    partners_changed(City.objects.filter(country=instance).values_list("pk", flat=True))


# An activity's stored search text (models/derived.py) holds its texts and its partners'
# search texts: refreshed on its saves (raw ones of loaddata and restores included), on any
# change of its partners from either side, and before a partner is deleted (a delete removes
# the links without m2m_changed). A partner's own name change reaches it through
# partners_changed().
@receiver(post_save, sender=Exchange)
def refresh_saved_exchange(sender, instance: Exchange, **kwargs) -> None:
    exchanges_changed([instance.pk], getattr(instance, "_counted_years", []))


@receiver(m2m_changed, sender=Exchange.partners.through)
def refresh_linked_exchanges(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
    if not reverse and action in ("post_add", "post_remove", "post_clear"):
        exchanges_changed([instance.pk])
    elif reverse and action in ("post_add", "post_remove"):
        exchanges_changed(pk_set)
    elif reverse and action == "pre_clear":
        instance._cleared_exchanges = list(instance.exchanges.values_list("pk", flat=True))
    elif reverse and action == "post_clear":
        exchanges_changed(getattr(instance, "_cleared_exchanges", []))


# The list's stored counts (ExchangeCount) of an activity's year before a save or delete:
# read from its row, since a save writes the instance's own (possibly stale) stored year
# over it before the refresh recomputes it.
@receiver(pre_save, sender=Exchange)
@receiver(pre_delete, sender=Exchange)
def remember_counted_year(sender, instance: Exchange, **kwargs) -> None:
    instance._counted_years = (
        [y for y in Exchange.objects.filter(pk=instance.pk).values_list("year", flat=True) if y]
        if instance.pk is not None
        else []
    )


@receiver(post_delete, sender=Exchange)
def recount_deleted_exchange(sender, instance: Exchange, **kwargs) -> None:
    # Its id too: its partners' stored start dates (ExchangeDate) lose its rows.
    exchanges_changed([instance.pk], getattr(instance, "_counted_years", []))


@receiver(pre_delete, sender=City)
def remember_deleted_partner_exchanges(sender, instance: City, **kwargs) -> None:
    instance._deleted_exchanges = list(instance.exchanges.values_list("pk", flat=True))


@receiver(post_delete, sender=City)
def refresh_deleted_partner_exchanges(sender, instance: City, **kwargs) -> None:
    exchanges_changed(getattr(instance, "_deleted_exchanges", []))


def bump_data_version_on_save(sender, **kwargs) -> None:
    """Any saved or deleted partners row (raw saves too: loaddata, a history restore)
    changes what the public pages show, so cached pages must not be served again."""
    DataVersion.bump()


def bump_data_version_on_m2m(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        DataVersion.bump()


def connect_data_version_receivers() -> None:
    """Connect the bumps to every model of the partners app and its many-to-many tables.

    Per model rather than for every sender, so deleting sessions or log entries stays a
    fast delete without signals."""
    for model in apps.get_app_config("partners").get_models(include_auto_created=True):
        if model is DataVersion or not model._meta.managed:
            continue
        uid = f"data-version-{model._meta.label_lower}"
        post_save.connect(bump_data_version_on_save, sender=model, dispatch_uid=uid)
        post_delete.connect(bump_data_version_on_save, sender=model, dispatch_uid=uid)
        if model._meta.auto_created:
            m2m_changed.connect(bump_data_version_on_m2m, sender=model, dispatch_uid=uid)
