from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import Agreement, AgreementDocument, City, Exchange, Photo


@receiver(post_save, sender=Agreement)
@receiver(post_save, sender=Exchange)
@receiver(post_delete, sender=Agreement)
@receiver(post_delete, sender=Exchange)
@receiver(post_save, sender=Photo)
@receiver(post_delete, sender=Photo)
@receiver(post_save, sender=AgreementDocument)
@receiver(post_delete, sender=AgreementDocument)
def touch_partner(sender, instance, raw: bool = False, **kwargs) -> None:
    """A change to an agreement, exchange, photo or document is a change to its partner.

    City.updated_at is the optimistic-lock token of the partner form and its inlines, so an
    agreement edited elsewhere makes an open partner form stale. Raw saves (loaddata, a
    history restore) keep the recorded timestamps.
    """
    if not raw:
        City.objects.filter(pk=instance.city_id).update(updated_at=timezone.now())
