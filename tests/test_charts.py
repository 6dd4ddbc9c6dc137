"""The home page's charts (partners/charts.py): agreements per year and partners per continent."""

import datetime
import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import make_agreement, make_city, make_home_city

SEED = Path(__file__).resolve().parents[1] / "fixtures/seed/daejeon-partner-cities.txt"


def year_table(html: str) -> tuple[list[str], dict[int, list[int]]]:
    """The per-year chart's table: its column heads and year -> counts."""
    table = re.search(
        r'<caption id="year-table-caption">[^<]*</caption>(.*?)</table>', html, re.S
    ).group(1)
    heads = re.findall(r'<th scope="col">([^<]*)</th>', table)
    rows = {
        int(year): [int(n) for n in re.findall(r"<td>(\d+)</td>", cells)]
        for year, cells in re.findall(r'<tr><th scope="row">(\d+)</th>(.*?)</tr>', table)
    }
    return heads, rows


def chart_svg(html: str, title_id: str) -> str:
    return re.search(
        rf'<svg class="chart__svg"[^>]*aria-labelledby="{title_id}.*?</svg>', html, re.S
    ).group(0)


def bars(svg: str) -> list[dict]:
    return [
        {
            "class": cls,
            **{k: float(v) for k, v in re.findall(r'(x|y|width|height)="([\d.]+)"', attrs)},
        }
        for cls, attrs in re.findall(r'<rect class="chart__bar ([^"]+)"([^>]*)/>', svg)
    ]


def test_an_upgrade_to_sister_city_is_counted_in_its_year_and_hatched(client, db):
    make_home_city()
    city = make_city("Hefei", "CN", kind="friendly", signed_on=datetime.date(2003, 10, 29))
    make_agreement(city, kind="sister", signed_on=datetime.date(2010, 5, 1))
    make_city("Seattle", "US", kind="sister", signed_on=datetime.date(2003, 1, 1))
    html = client.get("/en/").text
    heads, rows = year_table(html)
    assert heads == [
        "Year",
        "New sister-city agreements",
        "New friendly-city agreements",
        "Upgrades to sister city",
    ]
    assert rows == {2003: [1, 1, 0], 2010: [0, 0, 1]}
    svg = chart_svg(html, "year-chart-title")
    upgrade = [bar for bar in bars(svg) if "chart__bar--changed" in bar["class"]]
    assert len(upgrade) == 1
    assert 'fill="url(#hatch-sister)"' in svg
    assert "Upgrades to sister city (1)" in html


def test_the_charts_are_images_with_titles(client, db):
    make_home_city()
    make_city("Seattle", "US", kind="sister", signed_on=datetime.date(1989, 10, 4))
    html = client.get("/ko/").text
    for title_id, title in [
        ("year-chart-title", "연도별 협약 체결 수"),
        ("continent-chart-title", "대륙별·구분별 자매·우호도시 수"),
    ]:
        svg = chart_svg(html, title_id)
        assert 'role="img"' in svg
        assert f'<title id="{title_id}">{title}</title>' in svg


def test_the_year_chart_counts_the_seed_pages_signing_dates(client, db):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    seed_years = Counter(
        int(date[:4]) for date in re.findall(r"\d{4}-\d{2}-\d{2}", SEED.read_text())
    )
    assert sum(seed_years.values()) == 34
    for language in ("en", "ko"):
        html = client.get(f"/{language}/").text
        _, rows = year_table(html)
        assert {year: sum(counts) for year, counts in rows.items()} == dict(seed_years)
        # The seed's totals: sister 14, friendly 20; no upgrade in the demo data.
        assert [sum(column) for column in zip(*rows.values(), strict=True)] == [14, 20]


def test_bar_heights_are_proportional_to_the_counts(client, db):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    html = client.get("/en/").text
    _, rows = year_table(html)
    by_x: dict[float, float] = Counter()
    for bar in bars(chart_svg(html, "year-chart-title")):
        by_x[bar["x"]] += bar["height"]
    heights = [by_x[x] for x in sorted(by_x)]
    counts = [sum(rows[year]) for year in sorted(rows)]
    unit = heights[0] / counts[0]
    assert heights == pytest.approx([count * unit for count in counts], abs=0.2)


def test_the_continent_chart_has_the_seed_pages_totals_in_bars_of_matching_length(client, db):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    html = client.get("/en/").text
    svg = chart_svg(html, "continent-chart-title")
    labels = re.findall(r'<text class="chart__label" [^>]*text-anchor="end">([^<]+)</text>', svg)
    totals = [
        int(n) for n in re.findall(r'<text class="chart__label chart__total"[^>]*>(\d+)<', svg)
    ]
    # Corrected seed: Asia 15, Europe 10, Americas 5, Africa 3, Oceania 1 (largest first).
    assert list(zip(labels, totals, strict=True)) == [
        ("Asia", 15),
        ("Europe", 10),
        ("Americas", 5),
        ("Africa", 3),
        ("Oceania", 1),
    ]
    widths: dict[float, float] = Counter()
    for bar in bars(svg):
        widths[bar["y"]] += bar["width"]
    lengths = [widths[y] for y in sorted(widths)]
    assert lengths == pytest.approx([t * lengths[0] / 15 for t in totals], abs=0.3)
    sister = sum(bar["width"] for bar in bars(svg) if bar["class"] == "chart__bar--sister")
    assert sister == pytest.approx(14 * lengths[0] / 15, abs=0.3)
