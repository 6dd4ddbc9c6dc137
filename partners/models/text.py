"""Text helpers of the models: the translated columns (name_en/name_ko) and search folding."""

import unicodedata

from django.db import models
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


def localized(obj: models.Model, field: str) -> str:
    """The field in the active language, falling back to the other language."""
    first = localized_name(field)
    second = f"{field}_ko" if first.endswith("_en") else f"{field}_en"
    return getattr(obj, first) or getattr(obj, second)


class Localized:
    """A read-only attribute giving a translated field in the active language, with the
    other language as fallback: `name = Localized()` reads name_ko or name_en."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name

    def __get__(self, obj: models.Model | None, owner: type | None = None) -> "str | Localized":
        return self if obj is None else localized(obj, self.field)
