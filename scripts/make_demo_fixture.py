"""Build fixtures/daejeon.json from fixtures/daejeon.csv plus the home-city record below.

fixtures/daejeon.csv is the human-edited source, in the interchange format
(docs/interchange-format.md: UTF-8 with BOM, one row per partner with its current agreement).
What that format has no column for lives here: each partner's level (city unless listed)
and the home-city/intro record. Corrections to the seed page are explained in
fixtures/DATA-NOTES.md.

Run: .venv/bin/python scripts/make_demo_fixture.py
"""

import csv
import json
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fixtures" / "daejeon.csv"
OUTPUT = ROOT / "fixtures" / "daejeon.json"

# loaddata saves raw rows and never runs auto_now/auto_now_add, so the fixture carries
# the timestamps; a fixed value keeps the file stable from one build to the next.
TIMESTAMP = "2026-01-01T00:00:00+09:00"

LEVELS = {
    "binh-duong-province": "province",
    "hung-yen-province": "province",
    # The seed's figures (16,875 km², 450,000 people) are those of the province.
    "luang-prabang": "province",
    "montgomery-county": "county",
}

HOME_CITY = {
    "name_en": "Daejeon",
    "name_ko": "대전",
    # Daejeon City Hall.
    "latitude": "36.350400",
    "longitude": "127.384500",
    "slogan_en": "Change and Innovation, Understanding and Cooperation",
    "slogan_ko": "변화와 혁신, 이해와 협력",
    "headline_en": (
        "Daejeon, a city that pursues internationalization through exchange with many partners"
    ),
    "headline_ko": "다자간 국제 교류를 통해 국제화를 지향하는 도시, 대전",
    "title_en": "Sister and Friendly Cooperation Cities",
    "title_ko": "자매·우호도시",
    "intro_en": (
        "Daejeon promotes international exchange by building and strengthening its ties "
        "with its sister and friendly cooperation cities and by turning them into practical, "
        "effective relationships. In particular, through the expansion of various mutual "
        "exchanges such as education, economy, culture, and sports centered on the private "
        "sector, we are contributing to the creation of an internationalization base, "
        "strengthening the global capacity of citizens, and enhancing the international "
        "status of Daejeon City."
    ),
    "intro_ko": (
        "자매·우호도시 간 네트워크를 구축·강화하고 실질적이고 효과적인 관계를 맺어 국제 교류를 "
        "촉진하고 활성화하고자 합니다. 특히 민간 중심의 교육·경제·문화·체육 등 다양한 상호 교류를 "
        "확대하여 국제화 기반을 조성하고, 시민의 글로벌 역량을 강화하며, 대전시의 국제적 위상을 "
        "높이는 데 기여하고 있습니다."
    ),
    # The seed names no office: the city hall's published address and web site, with the
    # office (division) and its contacts left for staff to fill in (fixtures/DATA-NOTES.md).
    "office_en": "Daejeon Metropolitan City Hall",
    "office_ko": "대전광역시청",
    "office_address_en": "100 Dunsan-ro, Seo-gu, Daejeon 35242, Republic of Korea",
    "office_address_ko": "(35242) 대전광역시 서구 둔산로 100",
    "office_phone": "",
    "office_email": "",
    "office_url": "https://www.daejeon.go.kr/",
}


def number(text: str, kind: type) -> int | str | None:
    """A CSV number as the fixture stores it: int, decimal string, or None when blank."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    return int(text) if kind is int else str(Decimal(text))


def build(rows: list[dict[str, str]]) -> list[dict]:
    records: list[dict] = []
    for row in rows:
        records.append(
            {
                "model": "partners.city",
                "fields": {
                    "slug": row["slug"],
                    "name_en": row["name_en"],
                    "name_ko": row["name_ko"],
                    "aliases": row["aliases"],
                    "country": [row["country"]],
                    "level": LEVELS.get(row["slug"], "city"),
                    "population": number(row["population"], int),
                    "population_year": number(row["population_year"], int),
                    "area_km2": number(row["area_km2"], Decimal),
                    "latitude": number(row["latitude"], Decimal),
                    "longitude": number(row["longitude"], Decimal),
                    "feature_en": row["feature_en"],
                    "feature_ko": row["feature_ko"],
                    "description_en": "",
                    "description_ko": "",
                    "website": row["website"],
                    "is_published": True,
                    "created_at": TIMESTAMP,
                    "updated_at": TIMESTAMP,
                },
            }
        )
    # Agreements after all cities, so their natural keys resolve while loading.
    for row in rows:
        records.append(
            {
                "model": "partners.agreement",
                "fields": {
                    "city": [row["slug"]],
                    "kind": row["kind"],
                    "signed_on": row["signed_on"],
                    "status": row["status"],
                    "ended_on": None,
                    "notes": "",
                },
            }
        )
    records.append({"model": "partners.homecity", "pk": 1, "fields": HOME_CITY})
    return records


def main() -> None:
    with SOURCE.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.DictReader(source))
    unknown = set(LEVELS) - {row["slug"] for row in rows}
    if unknown:
        raise SystemExit(f"LEVELS names slugs that are not in {SOURCE.name}: {sorted(unknown)}")
    records = build(rows)
    OUTPUT.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(f"{len(rows)} partners + home city -> {OUTPUT}\n")


if __name__ == "__main__":
    main()
