"""Header names as staff and Korean offices write them, mapped to the interchange columns.

This is the one table of header aliases (README.md "Header names" shows the same table).
Headers match ignoring case, spaces, underscores and Unicode compatibility forms (NFKC:
㎢ = km2, ² = 2). A header with a unit in brackets (인구(천명), Size(km²)) scales the column's
values to the stored unit. Two columns are generic: a city-name column (도시명, City) fills
`name_ko` where a cell holds Hangul and `name_en` otherwise, and so does a feature column
(특징, 비고, Character, Note) for `feature_ko` / `feature_en`. Columns not in the table are
ignored and listed in the preview and report, so that a misspelt header is visible.
"""

import dataclasses
import decimal
import re
import unicodedata

from django.utils.translation import gettext as _

from .errors import ImportFileError

# The interchange columns (docs/interchange-format.md), in the order export writes them.
COLUMNS = [
    "slug",
    "name_en",
    "name_ko",
    "aliases",
    "country",
    "kind",
    "status",
    "signed_on",
    "population",
    "population_year",
    "area_km2",
    "latitude",
    "longitude",
    "feature_en",
    "feature_ko",
    "website",
    # Added later, so at the end: files written before them still import (blank = keep).
    "population_source",
    "area_year",
    "area_source",
]
# The exchange activities' columns (resources/exchanges.py), in the order export writes them.
EXCHANGE_COLUMNS = [
    "id",
    "partners",
    "field",
    "title_en",
    "title_ko",
    "started_on",
    "ended_on",
    "place_en",
    "place_ko",
    "summary_en",
    "summary_ko",
    "link",
    "is_published",
]
# The columns a file needs besides a slug column (see require_columns).
REQUIRED_COLUMNS = ["name_en", "country"]
CITY = "city"
FEATURE = "feature"

# Names from Korean city halls' published partner lists (Daejeon, Seoul, Busan, Daegu,
# Incheon, Gwangju) and our own column names; the generic columns are split by script.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "slug": ("slug", "식별자"),
    "name_en": ("name_en", "English name", "Name (English)", "City (English)", "영문명",
                "영문 도시명", "도시명(영문)", "영문 표기"),
    "name_ko": ("name_ko", "Korean name", "Name (Korean)", "City (Korean)", "한글명", "국문명",
                "한글 도시명", "도시명(국문)", "도시명(한글)"),
    CITY: ("City", "City name", "Cities", "도시", "도시명", "자매도시", "우호도시",
           "결연도시", "자매우호도시", "도시(지역)"),
    "aliases": ("aliases", "Other names", "Other spellings", "다른 이름", "별칭", "이칭"),
    "country": ("country", "Country name", "Nation", "국가", "국가명", "나라"),
    "kind": ("kind", "Type", "Relationship", "구분", "결연구분", "결연 종류", "관계"),
    "status": ("status", "상태"),
    "signed_on": ("signed_on", "Date", "Date of affiliation", "Date of agreement",
                  "Signed on", "Agreement date", "결연일", "결연일자", "결연 연월일",
                  "체결일", "체결일자", "협정체결일"),
    "population": ("population", "인구", "인구수"),
    "population_year": ("population_year", "Population year", "인구 기준연도",
                        "인구기준년도"),
    "area_km2": ("area_km2", "Area", "Size", "Land area", "면적"),
    "latitude": ("latitude", "Lat", "위도"),
    "longitude": ("longitude", "Lon", "Lng", "경도"),
    FEATURE: ("Feature", "Features", "Character", "Characteristics", "Note", "Notes",
              "특징", "특색", "비고", "도시 특징"),
    "feature_en": ("feature_en", "Feature (English)", "특징(영문)"),
    "feature_ko": ("feature_ko", "Feature (Korean)", "특징(국문)", "특징(한글)"),
    "website": ("website", "Web site", "Homepage", "URL", "홈페이지", "웹사이트"),
    "population_source": ("population_source", "Population source", "인구 출처", "인구출처"),
    "area_year": ("area_year", "Area year", "Land area year", "면적 기준연도",
                  "면적기준년도"),
    "area_source": ("area_source", "Area source", "Land area source", "면적 출처", "면적출처"),
}  # fmt: skip

# Units in a header's brackets: the factor that turns the file's figure into people / km².
UNITS: dict[str, dict[str, decimal.Decimal]] = {
    "population": {
        unit: decimal.Decimal(factor)
        for units, factor in (
            (("명", "people", "persons", "inhabitants"), 1),
            (("천명", "천", "1,000", "1000", "thousand", "thousands", "1,000 people"), 1000),
            (("만명", "만", "10,000", "10000"), 10_000),
            (("백만명", "백만", "million", "millions", "1,000,000"), 1_000_000),
        )
        for unit in units
    },
    "area_km2": {
        unit: decimal.Decimal(factor)
        for units, factor in (
            (("㎢", "km²", "km2", "sq km", "제곱킬로미터"), "1"),
            (("㎡", "m²", "m2", "제곱미터"), "0.000001"),
            (("ha", "헥타르"), "0.01"),
        )
        for unit in units
    },
}

_UNIT = re.compile(r"^(.+?)[(\[](.+)[)\]]$")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# How far down a title and blank lines may push the header line.
HEADER_SEARCH_LINES = 10


def header_key(text: object) -> str:
    """The form headers are compared in: NFKC, case-folded, without spaces or underscores."""
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s_]+", "", folded)


_ALIASES = {
    header_key(alias): column for column, names in HEADER_ALIASES.items() for alias in names
}
_UNITS = {
    column: {header_key(unit): factor for unit, factor in units.items()}
    for column, units in UNITS.items()
}


def column_for(header: object) -> tuple[str | None, decimal.Decimal | None]:
    """The column a header names and its unit's factor (None: no unit), or (None, None).

    Raises ImportFileError for a known column with a unit we do not know: reading its
    figures in the wrong unit would store wrong values.
    """
    key = header_key(header)
    if key in _ALIASES:
        return _ALIASES[key], None
    match = _UNIT.match(key)
    if not match or match[1] not in _ALIASES:
        return None, None
    column = _ALIASES[match[1]]
    factor = _UNITS.get(column, {}).get(match[2])
    if factor is None:
        units = ", ".join(UNITS.get(column, {})) or _("none")
        raise ImportFileError(
            _("The column “%(header)s” gives a unit the import does not know. Units: %(units)s.")
            % {"header": str(header).strip(), "units": units}
        )
    return column, factor


_EXCHANGE_KEYS = {header_key(column) for column in EXCHANGE_COLUMNS}


def known_headers(row: list[object]) -> int:
    """How many cells of a row name a column of the partner or the exchange file (a unit
    the import does not know counts): the file is read before it is known which it is."""
    count = 0
    for cell in row:
        try:
            column, _factor = column_for(cell)
        except ImportFileError:
            column = "?"
        count += column is not None or header_key(cell) in _EXCHANGE_KEYS
    return count


def find_header(rows: list[list[object]]) -> int:
    """Index of the header row: the first of the first lines that names two known columns,
    else the first line that is not blank (its unknown names are then reported)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        if known_headers(row) >= 2:
            return index
    return next((i for i, row in enumerate(rows) if any(c not in (None, "") for c in row)), 0)


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


class NotGiven(str):
    """A cell the file does not give: the resource leaves the field as it is. The other
    language's half of a generic city-name or feature column is not given."""


NOT_GIVEN = NotGiven()


@dataclasses.dataclass
class ColumnPlan:
    """What the header line means: notes for staff, the scale factor and unit as written of
    a column with a unit, a missing kind column."""

    notes: list[str] = dataclasses.field(default_factory=list)
    units: dict[str, tuple[decimal.Decimal, str]] = dataclasses.field(default_factory=dict)
    kind_missing: bool = False


def _split_by_script(dataset, header: str, english: str, korean: str, headers: list[str]):
    """Replace a generic column by its English and Korean columns, cell by cell."""
    values = dataset[header]
    del dataset[header]
    if english in headers and korean in headers:
        raise ImportFileError(
            _("The column “%(header)s” repeats the columns %(english)s and %(korean)s.")
            % {"header": header, "english": english, "korean": korean}
        )
    if english in headers or korean in headers:
        # Beside an English-name column it is the Korean name, and the other way round.
        target = korean if english in headers else english
        dataset.append_col(values, header=target)
        return
    text = [str(value).strip() if value is not None else "" for value in values]
    dataset.append_col(
        [NOT_GIVEN if not t or has_hangul(t) else v for t, v in zip(text, values, strict=True)],
        header=english,
    )
    dataset.append_col(
        [v if t and has_hangul(t) else NOT_GIVEN for t, v in zip(text, values, strict=True)],
        header=korean,
    )


def arrange_columns(dataset, columns: list[str], default_kind: str | None = None) -> ColumnPlan:
    """Rename the dataset's headers to interchange columns, drop (and list) unknown ones,
    split generic columns and fill the kind chosen for the whole file.

    Raises ImportFileError for a column given twice or a unit we do not know.
    """
    plan = ColumnPlan()
    named: dict[str, str] = {}
    ignored: list[str] = []
    renamed: list[str] = []
    for position, header in enumerate(dataset.headers or [], start=1):
        shown = str(header or "").strip()
        column, factor = column_for(shown)
        if column is None:
            if shown or any(value not in (None, "") for value in dataset.get_col(position - 1)):
                ignored.append(shown or _("(column %(number)s, no name)") % {"number": position})
            renamed.append(f"\0ignored{position}")
            continue
        if column in named:
            raise ImportFileError(
                _("The columns “%(first)s” and “%(second)s” both give %(column)s.")
                % {"first": named[column], "second": shown, "column": column}
            )
        named[column] = shown
        renamed.append(column)
        if factor is not None and factor != 1:
            written = _UNIT.match(shown)  # not when its brackets are full-width: （천명）
            plan.units[column] = (factor, written[2].strip() if written else shown)
            plan.notes.append(
                _("“%(header)s”: figures are multiplied by %(factor)s to give %(column)s.")
                % {"header": shown, "factor": f"{factor.normalize():,f}", "column": column}
            )
    dataset.headers = renamed
    for header in [h for h in renamed if h.startswith("\0ignored")]:
        del dataset[header]
    generics = ((CITY, "name_en", "name_ko"), (FEATURE, "feature_en", "feature_ko"))
    for generic, english, korean in generics:
        if generic in dataset.headers:
            _split_by_script(dataset, generic, english, korean, dataset.headers)
            if generic == CITY:
                plan.notes.append(
                    _("“%(header)s”: names in Hangul fill name_ko, others name_en.")
                    % {"header": named[generic]}
                )
    if ignored:
        plan.notes.append(
            _("Ignored columns (not part of the import; check the spelling): %(columns)s. "
              "The columns are: %(known)s.")
            % {"columns": ", ".join(f"“{name}”" for name in ignored), "known": ", ".join(columns)}
        )  # fmt: skip
    if "kind" not in dataset.headers:
        if default_kind:
            blank = [all(value in (None, "") for value in row) for row in dataset]
            dataset.append_col(["" if b else default_kind for b in blank], header="kind")
            plan.notes.append(
                _("The file has no kind column: every row is taken as “%(kind)s”.")
                % {"kind": default_kind}
            )
        else:
            plan.kind_missing = True
            # An agreement's date or status means nothing without its kind: not read, so that
            # existing partners keep their agreements.
            unread = [column for column in ("signed_on", "status") if column in dataset.headers]
            for column in unread:
                del dataset[column]
            if unread:
                plan.notes.append(
                    _(
                        "The file has no kind column, so %(columns)s were not read; choose "
                        "the kind for every row to read them."
                    )
                    % {"columns": ", ".join(f"“{named[column]}”" for column in unread)}
                )
    return plan


def require_columns(headers: list[str]) -> None:
    """Raises ImportFileError for a file whose rows cannot be matched to a partner: a slug
    column, or a name (English or Korean; a new partner is refused without English) and the
    country."""
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if "name_en" in missing and "name_ko" in headers:
        missing.remove("name_en")
    if missing and "slug" not in headers:
        raise ImportFileError(_("The file has no “%(column)s” column.") % {"column": missing[0]})
