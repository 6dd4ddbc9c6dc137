from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from reversion.models import Version

from .history import record_baseline
from .models import Agreement, City, Exchange, HomeCity


@receiver(pre_save, sender=City)
@receiver(pre_save, sender=Agreement)
@receiver(pre_save, sender=Exchange)
@receiver(pre_save, sender=HomeCity)
def keep_a_baseline_version(sender, instance, raw: bool = False, **kwargs) -> None:
    """Before the first change to a record with no history (the demo data, a restored backup),
    keep what is stored as its first version, so History shows and restores the original."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if Version.objects.get_for_object_reference(sender, instance.pk).exists():
        return
    stored = sender._default_manager.filter(pk=instance.pk).first()
    if stored is not None:
        record_baseline(stored)


@receiver(post_save, sender=Agreement)
@receiver(post_save, sender=Exchange)
@receiver(post_delete, sender=Agreement)
@receiver(post_delete, sender=Exchange)
def touch_partner(sender, instance, raw: bool = False, **kwargs) -> None:
    """A change to an agreement or exchange is a change to its partner.

    City.updated_at is the optimistic-lock token of the partner form and its inlines, so an
    agreement edited elsewhere makes an open partner form stale. Raw saves (loaddata, a
    history restore) keep the recorded timestamps.
    """
    if not raw:
        City.objects.filter(pk=instance.city_id).update(updated_at=timezone.now())
