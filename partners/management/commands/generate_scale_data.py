import datetime
import json
import random
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partners.models import (
    Agreement,
    City,
    Country,
    Exchange,
    Field,
    Kind,
    Level,
    Status,
)
from partners.models.derived import exchanges_changed, refresh_afterwards

# Name parts in both languages (English spelling, Korean spelling of it), joined into
# plausible invented place names: "Norhaven" / "노르헤이븐". A few carry accents and
# letters that search folds (São, Łód, Øster).
FIRST = [
    ("Nor", "노르"), ("Wes", "웨스"), ("Ash", "애시"), ("Bel", "벨"), ("Car", "카르"),
    ("Dun", "던"), ("Elm", "엘름"), ("Fal", "팔"), ("Gran", "그란"), ("Hal", "할"),
    ("Kel", "켈"), ("Lin", "린"), ("Mar", "마르"), ("Ost", "오스트"), ("Port", "포르트"),
    ("Ros", "로스"), ("San", "산"), ("Tor", "토르"), ("Val", "발"), ("Zel", "젤"),
    ("São", "상"), ("Łód", "우치"), ("Øster", "외스테르"), ("Bré", "브레"), ("Qing", "칭"),
    ("Hai", "하이"), ("Ulan", "울란"), ("Kra", "크라"), ("Sol", "솔"), ("Tam", "탐"),
]  # fmt: skip
MIDDLE = [
    ("", ""), ("", ""), ("", ""), ("a", "아"), ("e", "에"), ("i", "이"), ("o", "오"),
    ("ber", "베르"), ("den", "덴"), ("lin", "린"), ("ran", "란"),
]  # fmt: skip
LAST = [
    ("haven", "헤이븐"), ("burg", "부르크"), ("ville", "빌"), ("ford", "퍼드"), ("grad", "그라드"),
    ("polis", "폴리스"), ("dorf", "도르프"), ("mouth", "마우스"), ("stad", "스타드"),
    ("ton", "턴"), ("field", "필드"), ("hama", "하마"), ("shan", "산"), ("pur", "푸르"),
    ("ovo", "오보"), ("ia", "이아"), ("ez", "에스"), ("ang", "앙"), ("ri", "리"), ("kent", "켄트"),
]  # fmt: skip
# Older or foreign spellings, the way real aliases differ (Kharkov, Tsingtao).
SPELLINGS = [("k", "c"), ("v", "w"), ("ou", "u"), ("ai", "ay"), ("ei", "ey"), ("ng", "nk")]
FEATURES = [
    ("Port city", "항구 도시"), ("Capital of its province", "주도"),
    ("Science and technology hub", "과학기술 도시"), ("Historic old town", "역사 도시"),
    ("Industrial city", "산업 도시"), ("University city", "대학 도시"),
    ("Tourism and culture", "관광·문화 도시"), ("Agriculture and food", "농업·식품 도시"),
]  # fmt: skip
ACTIVITIES = [
    ("Delegation visit", "대표단 방문"), ("Youth exchange camp", "청소년 교류 캠프"),
    ("Culture festival", "문화 축제"), ("Trade mission", "무역 사절단"),
    ("Sports friendship match", "스포츠 친선 경기"), ("Civil servant training", "공무원 연수"),
    ("Tourism fair", "관광 박람회"), ("Science forum", "과학 포럼"),
]  # fmt: skip
FIELDS = list(Field.values)
LEVELS = [Level.CITY] * 8 + [Level.COUNTY, Level.PROVINCE, Level.STATE]
FIRST_SIGNING = datetime.date(1965, 1, 1)
BATCH = 2000


def demo_slugs() -> set[str]:
    """Slugs of the demo partners (fixtures/daejeon.json), which mark the demo database."""
    path = settings.BASE_DIR / "fixtures" / "daejeon.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {row["fields"]["slug"] for row in rows if row["model"] == "partners.city"}


def invented_name(rng: random.Random) -> tuple[str, str]:
    """A plausible place name that exists nowhere, in English and Korean."""
    parts = [rng.choice(FIRST), rng.choice(MIDDLE), rng.choice(LAST)]
    return "".join(en for en, _ in parts).capitalize(), "".join(ko for _, ko in parts)


def other_spelling(rng: random.Random, name: str) -> str:
    """An alias the way real ones differ from the official name, or "" when none applies."""
    for old, new in rng.sample(SPELLINGS, len(SPELLINGS)):
        if old in name:
            return name.replace(old, new, 1)
    return ""


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max((end - start).days, 1)))


def agreement_history(rng: random.Random, city: City, today: datetime.date) -> list[Agreement]:
    """One to three agreements that follow the agreement rule: each new one ends the one
    before on its signing date (or later than it ended, a gap), renewals keep the kind,
    upgrades go from friendly to sister; the last one is current unless the partnership ended."""
    count = rng.choice((1, 1, 2, 3))
    kind = rng.choice((Kind.SISTER, Kind.FRIENDLY, Kind.FRIENDLY))
    days = sorted(rng.sample(range((today - FIRST_SIGNING).days), count))
    dates = [FIRST_SIGNING + datetime.timedelta(days=day) for day in days]
    history = []
    for signed_on, next_signed_on in zip(dates, [*dates[1:], None], strict=True):
        agreement = Agreement(city=city, kind=kind, signed_on=signed_on)
        history.append(agreement)
        if next_signed_on is None:
            break
        agreement.status = Status.ENDED
        # One history in ten has a gap: the agreement ended before the next was signed.
        gap = rng.random() < 0.1
        agreement.ended_on = random_date(rng, signed_on, next_signed_on) if gap else next_signed_on
        if kind == Kind.FRIENDLY and rng.random() < 0.5:
            kind = Kind.SISTER
    last = history[-1]
    roll = rng.random()
    if roll < 0.06:
        last.status, last.ended_on = Status.ENDED, random_date(rng, last.signed_on, today)
    elif roll < 0.1:
        last.status = Status.SUSPENDED
    else:
        last.status = Status.ACTIVE
    return history


class Command(BaseCommand):
    help = _(
        "Fill the database with generated partners and exchange activities for measuring "
        "speed at scale (never demo data). Refuses a database with the demo partners unless "
        "--force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partners", type=int, default=10000, help=_("Partners to create."))
        parser.add_argument(
            "--exchanges", type=int, default=100000, help=_("Exchange activities to create.")
        )
        parser.add_argument("--seed", type=int, default=13, help=_("Random seed."))
        parser.add_argument(
            "--force", action="store_true", help=_("Add them even beside the demo data.")
        )

    def handle(self, *args, partners: int, exchanges: int, seed: int, force: bool, **options):
        if partners < 1 or exchanges < 0:
            raise CommandError(_("Give at least one partner and no negative number."))
        if not force and City.objects.filter(slug__in=demo_slugs()).exists():
            raise CommandError(
                _(
                    "This database holds the demo data; generated partners would mix with it. "
                    "Use an empty database (point DATABASE_URL at it), or add --force."
                )
            )
        countries = list(Country.objects.order_by("iso_code"))
        if not countries:
            raise CommandError(
                _("The country list is empty: run “manage.py loaddata countries” first.")
            )
        rng = random.Random(seed)
        # bulk_create sends no signal: the stored relationship and search text of the new
        # partners are computed once at the end, by the function every write path uses.
        with transaction.atomic(), refresh_afterwards() as touched:
            cities = self.create_partners(rng, countries, partners)
            self.create_exchanges(rng, cities, exchanges)
            touched.update(city.pk for city in cities)
        self.stdout.write(
            self.style.SUCCESS(
                _("Generated %(partners)d partners and %(exchanges)d exchange activities.")
                % {"partners": partners, "exchanges": exchanges}
            )
        )

    def create_partners(
        self, rng: random.Random, countries: list[Country], count: int
    ) -> list[City]:
        # Numbered after the partners already there, so a second run adds new slugs.
        offset = City.objects.count()
        cities = []
        for number in range(offset, offset + count):
            name_en, name_ko = invented_name(rng)
            country = rng.choice(countries)
            aliases = other_spelling(rng, name_en) if rng.random() < 0.3 else ""
            feature_en, feature_ko = rng.choice(FEATURES)
            cities.append(
                City(
                    slug=f"{slugify(name_en)}-{country.iso_code.lower()}-{number}",
                    name_en=name_en,
                    name_ko=name_ko,
                    aliases=aliases,
                    country=country,
                    level=rng.choice(LEVELS),
                    population=int(10 ** rng.uniform(3.7, 7.3)),
                    population_year=rng.randrange(2010, 2025),
                    area_km2=Decimal(round(10 ** rng.uniform(1, 4.3), 2)).quantize(Decimal("0.01")),
                    latitude=Decimal(f"{rng.uniform(-55, 70):.6f}"),
                    longitude=Decimal(f"{rng.uniform(-180, 180):.6f}"),
                    feature_en=feature_en,
                    feature_ko=feature_ko,
                    is_published=rng.random() >= 0.03,
                )
            )
        cities = City.objects.bulk_create(cities, batch_size=BATCH)
        today = timezone.localdate()
        agreements = [a for city in cities for a in agreement_history(rng, city, today)]
        Agreement.objects.bulk_create(agreements, batch_size=BATCH)
        return cities

    def create_exchanges(self, rng: random.Random, cities: list[City], count: int) -> None:
        start = datetime.date(1990, 1, 1)
        end = timezone.localdate() + datetime.timedelta(days=365)
        activities = []
        for _number in range(count):
            title_en, title_ko = rng.choice(ACTIVITIES)
            started_on = random_date(rng, start, end)
            days = rng.choice((0, 0, 1, 2, 4, 6))
            place_en, place_ko = invented_name(rng)
            activities.append(
                Exchange(
                    field=rng.choice(FIELDS),
                    title_en=f"{title_en} {started_on.year}",
                    title_ko=f"{started_on.year} {title_ko}",
                    started_on=started_on,
                    ended_on=started_on + datetime.timedelta(days=days) if days else None,
                    place_en=place_en,
                    place_ko=place_ko,
                    is_published=rng.random() >= 0.02,
                )
            )
        activities = Exchange.objects.bulk_create(activities, batch_size=BATCH)
        Link = Exchange.partners.through
        links = [
            Link(exchange_id=activity.pk, city_id=city.pk)
            for activity in activities
            for city in rng.sample(cities, min(len(cities), rng.choice((1, 1, 1, 2, 3))))
        ]
        Link.objects.bulk_create(links, batch_size=BATCH * 2)
        exchanges_changed(activity.pk for activity in activities)
