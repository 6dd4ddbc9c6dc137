"""Text helpers of the models: the translated columns (name_en/name_ko) and search folding."""

import unicodedata
from collections.abc import Callable

from django.db import models
from django.db.models.lookups import Contains, Lookup
from django.utils.translation import get_language

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD_EXTRA = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae"})


def fold(text: str) -> str:
    """Case- and accent-insensitive form of text; Hangul syllables are kept whole."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).translate(_FOLD_EXTRA)


def localized_name(field: str) -> str:
    """The column of a translated field for the active language: name -> name_ko."""
    return f"{field}_en" if (get_language() or "ko").startswith("en") else f"{field}_ko"


def localized_columns(field: str) -> tuple[str, str]:
    """(the active language's column of a translated field, the other language's)."""
    first = localized_name(field)
    return first, f"{field}_ko" if first.endswith("_en") else f"{field}_en"


def localized(obj: models.Model, field: str) -> str:
    """The field in the active language, falling back to the other language."""
    first, second = localized_columns(field)
    return getattr(obj, first) or getattr(obj, second)


def localized_reader(field: str) -> Callable[[models.Model], str]:
    """localized(obj, field) for many objects, the active language looked up once: the
    lookup was most of a name's ~2 µs, and a page writes a few hundred names."""
    first, second = localized_columns(field)
    return lambda obj: getattr(obj, first) or getattr(obj, second)


class Localized:
    """A read-only attribute giving a translated field in the active language, with the
    other language as fallback: `name = Localized()` reads name_ko or name_en."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name

    def __get__(self, obj: models.Model | None, owner: type | None = None) -> "str | Localized":
        return self if obj is None else localized(obj, self.field)


@models.CharField.register_lookup
@models.TextField.register_lookup
class Holds(Contains):
    """`search_text__holds="kharkov"`: the column holds the text, case and all; for columns
    stored folded already (models/derived.py). SQL LIKE on PostgreSQL, where a trigram
    index serves it; instr() on SQLite, whose LIKE folds ASCII case per character and took
    four times as long over 100,000 search texts (150-190 ms against 40 ms)."""

    lookup_name = "holds"

    def get_rhs_op(self, connection, rhs: str) -> str:
        return connection.operators["contains"] % rhs

    def as_sqlite(self, compiler, connection) -> tuple[str, tuple]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Lookup's, not Contains': the text as given, without LIKE's escapes and % around it.
        rhs, rhs_params = Lookup.process_rhs(self, compiler, connection)
        return f"instr({lhs}, {rhs}) > 0", (*lhs_params, *rhs_params)
