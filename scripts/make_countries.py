"""Write fixtures/countries.json: every ISO 3166-1 country with English and Korean names and
its continent.

Sources (see fixtures/DATA-NOTES.md):
- the list of countries: pycountry (ISO 3166-1 alpha-2 codes);
- names: Unicode CLDR as shipped in Babel (`Locale("en"|"ko").territories`), with the few
  CLDR "short"/"variant" names listed in PREFERRED_NAMES, the Korean names of the Ministry of
  Foreign Affairs where they differ from CLDR (MOFA_KOREAN_NAMES), and " & " written as " and ";
- continents: CLDR's territory containment (supplementalData.xml), which follows UN M49.
  Babel does not ship containment, so it is read from the CLDR XML of Debian's
  `unicode-cldr-core` package (`apt-get install unicode-cldr-core`) or any CLDR checkout
  given with --cldr.

Run: .venv/bin/python scripts/make_countries.py [--cldr DIR] [--output PATH]
"""

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import version
from pathlib import Path

import pycountry
from babel import Locale

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLDR = Path("/usr/share/unicode/cldr")

# UN M49 continental regions -> the model's Continent values.
CONTINENTS = {
    "002": "africa",
    "019": "americas",
    "142": "asia",
    "150": "europe",
    "009": "oceania",
}

# CLDR's default names are chosen for pickers ("Hong Kong SAR China", "Congo - Kinshasa").
# In a list of partner cities CLDR's own alt="short" / alt="variant" names read better;
# these are copied from CLDR's en.xml and ko.xml.
PREFERRED_NAMES = {
    "HK": ("Hong Kong", "홍콩"),  # alt="short" in en and ko
    "MO": ("Macao", "마카오"),  # alt="short" in en and ko
    "PS": ("Palestine", "팔레스타인"),  # alt="short" in en and ko
    "MM": ("Myanmar", None),  # en alt="short"; ko default is already 미얀마
    "CD": ("Congo (DRC)", "콩고민주공화국"),  # alt="variant" in en and ko
    "CG": ("Congo (Republic)", "콩고 공화국"),  # alt="variant" in en and ko
}

# Korean names as the Ministry of Foreign Affairs (외교부 국가·지역 정보) and Korean city
# international-affairs pages write them, where CLDR's Korean name differs.
MOFA_KOREAN_NAMES = {
    "AU": "호주",  # CLDR: 오스트레일리아
    "ZA": "남아프리카공화국",  # CLDR: 남아프리카
}


def parent_regions(cldr_dir: Path) -> dict[str, str]:
    """Each territory or region code -> the region that contains it, per CLDR.

    Only the primary M49 tree: groups marked status="grouping"/"deprecated" or
    grouping="true" (EU, Latin America, Sub-Saharan Africa, ...) overlap it and are skipped.
    """
    tree = ET.parse(cldr_dir / "common" / "supplemental" / "supplementalData.xml")
    parent: dict[str, str] = {}
    for group in tree.iterfind(".//territoryContainment/group"):
        if group.get("status") or group.get("grouping") == "true":
            continue
        for child in group.get("contains", "").split():
            parent[child] = group.get("type")
    return parent


def continent_of(code: str, parent: dict[str, str]) -> str:
    region = code
    while region in parent:
        region = parent[region]
        if region in CONTINENTS:
            return CONTINENTS[region]
    raise SystemExit(f"CLDR places {code} in no continent; add a documented rule.")


def build(cldr_dir: Path) -> list[dict]:
    parent = parent_regions(cldr_dir)
    english, korean = Locale("en").territories, Locale("ko").territories
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        name_en, name_ko = PREFERRED_NAMES.get(code, (None, None))
        rows.append(
            {
                "model": "partners.country",
                "fields": {
                    "iso_code": code,
                    "name_en": (name_en or english[code]).replace(" & ", " and "),
                    "name_ko": MOFA_KOREAN_NAMES.get(code) or name_ko or korean[code],
                    "continent": continent_of(code, parent),
                },
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cldr", type=Path, default=DEFAULT_CLDR, help="CLDR root directory")
    parser.add_argument("--output", type=Path, default=ROOT / "fixtures" / "countries.json")
    args = parser.parse_args()
    rows = build(args.cldr)
    args.output.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(
        f"{len(rows)} countries -> {args.output} "
        f"(pycountry {version('pycountry')}, Babel {version('babel')})\n"
    )


if __name__ == "__main__":
    main()
