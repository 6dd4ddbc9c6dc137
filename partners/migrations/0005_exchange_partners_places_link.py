# Exchange activities get several partners (a many-to-many in place of the `city` key), the
# place in both languages (in place of `place`), a link, and the dormant partnerships report.

import django.db.models.deletion
from django.db import migrations, models


def has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e" for ch in text)


def copy_city_and_place(apps, schema_editor):
    """Each activity keeps its partner, and its place goes to the Korean column when it is
    written in Hangul (what the one field showed on English pages), else to the English one."""
    Exchange = apps.get_model("partners", "Exchange")
    links = []
    for exchange in Exchange.objects.all():
        links.append(Exchange.partners.through(exchange_id=exchange.pk, city_id=exchange.city_id))
        if exchange.place:
            column = "place_ko" if has_hangul(exchange.place) else "place_en"
            setattr(exchange, column, exchange.place)
            exchange.save(update_fields=[column])
    Exchange.partners.through.objects.bulk_create(links)


def copy_back_first_partner_and_place(apps, schema_editor):
    Exchange = apps.get_model("partners", "Exchange")
    for exchange in Exchange.objects.prefetch_related("partners"):
        partners = sorted(exchange.partners.all(), key=lambda city: city.pk)
        exchange.city_id = partners[0].pk if partners else None
        exchange.place = exchange.place_ko or exchange.place_en
        exchange.save(update_fields=["city", "place"])
    # The old key cannot be empty: an activity left without any partner goes.
    Exchange.objects.filter(city__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_photo_image_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="DormantPartner",
            fields=[],
            options={
                "verbose_name": "dormant partnership",
                "verbose_name_plural": "dormant partnerships",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("partners.city",),
        ),
        migrations.AlterModelOptions(
            name="exchange",
            options={
                "ordering": ["-started_on", "pk"],
                "verbose_name": "exchange",
                "verbose_name_plural": "exchanges",
            },
        ),
        migrations.AddField(
            model_name="exchange",
            name="link",
            field=models.URLField(
                blank=True,
                help_text="A press release, report or programme page about the activity.",
                max_length=500,
                verbose_name="link",
            ),
        ),
        migrations.AddField(
            model_name="exchange",
            name="partners",
            field=models.ManyToManyField(
                related_name="exchanges", to="partners.city", verbose_name="partner cities"
            ),
        ),
        migrations.AddField(
            model_name="exchange",
            name="place_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="place (English)"),
        ),
        migrations.AddField(
            model_name="exchange",
            name="place_ko",
            field=models.CharField(blank=True, max_length=200, verbose_name="place (Korean)"),
        ),
        # Nullable first, so that going back can add the column before filling it.
        migrations.AlterField(
            model_name="exchange",
            name="city",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partners.city",
                verbose_name="partner city",
            ),
        ),
        migrations.RunPython(copy_city_and_place, copy_back_first_partner_and_place),
        migrations.RemoveField(model_name="exchange", name="city"),
        migrations.RemoveField(model_name="exchange", name="place"),
        migrations.AddIndex(
            model_name="exchange",
            index=models.Index(fields=["started_on"], name="exchange_started_on"),
        ),
    ]
