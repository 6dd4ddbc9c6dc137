"""Letters a save in another encoding replaced by `?` (Korean Excel's "CSV" is CP949, which
has no ư, ê, ü, Ō, і), found when a row of either import is read (CheckedCellsMixin).

Text that would replace stored letters by `?` is refused. New text with a `?` where a lost
letter sits is noted for staff to check before confirming, by this rule per kind of field:

- a name (name_en, name_ko, aliases): any `?` next to a letter, before or after it
  (Z?rich, Ph? Th?); a name is never a question.
- a feature text: a `?` before a letter (H?ng), or ending a word when the next word starts
  with a small letter (Ph? Th? is a province): a question ends its sentence, and the next
  sentence starts with a capital or the text ends ("Why visit? Its parks.", "What is it?").
- any other column (slug, website, whose `?` starts a query): no note.
"""

import re

from django.utils.translation import gettext as _

from .reading import refuse_uncomputed
from .report import file_line

NAME_FIELDS = ("name_en", "name_ko", "aliases")
FEATURE_FIELDS = ("feature_en", "feature_ko")

_LETTER = r"[^\W\d_]"
_IN_NAME = re.compile(rf"(?<={_LETTER})\?|\?(?={_LETTER})")
_BEFORE_LETTER = re.compile(rf"\?(?={_LETTER})")
_ENDING_WORD = re.compile(rf"(?<={_LETTER})\?[ \t]+(?P<next>{_LETTER})")


def lost_letters(stored: object, new: object) -> bool:
    """True when new is stored text with letters replaced by `?`."""
    if not isinstance(stored, str) or not isinstance(new, str) or stored == new:
        return False
    return len(stored) == len(new) and all(
        a == b or (b == "?" and a != "?") for a, b in zip(stored, new, strict=True)
    )


def refuse_lost_letters(stored: object, new: object) -> None:
    """Refuse text that would replace stored letters by `?` (see lost_letters)."""
    if lost_letters(stored, new):
        raise ValueError(
            _(
                "“%(new)s” would replace “%(stored)s”: the file lost the letters shown "
                "as ?, which its encoding cannot hold (Korean Excel's “CSV” is CP949). "
                "Save the file as “CSV UTF-8” or as .xlsx and import it again."
            )
            % {"new": new, "stored": stored}
        )


def suspect_question_mark(text: object, field: str) -> bool:
    """A `?` where a lost letter sits, by the rule of the field's kind (module docstring)."""
    if not isinstance(text, str) or "?" not in text:
        return False
    if field in NAME_FIELDS:
        return bool(_IN_NAME.search(text))
    if field in FEATURE_FIELDS:
        # A capital after `?` starts a sentence; Hangul has no case, and CP949 holds it.
        return bool(_BEFORE_LETTER.search(text)) or any(
            match["next"].islower() for match in _ENDING_WORD.finditer(text)
        )
    return False


def check_new_text(stored: object, new: object, field: str, line: int, column: str) -> str | None:
    """Refuses new text that lost stored letters (refuse_lost_letters); for other new text
    with a suspect `?` (suspect_question_mark), the note staff see before confirming."""
    refuse_lost_letters(stored, new)
    if new == stored or not suspect_question_mark(new, field):
        return None
    return _(
        "Line %(line)s, column “%(column)s”: “%(value)s” has a ? where a letter "
        "may have been lost by saving in CP949; check it before confirming."
    ) % {"line": line, "column": column, "value": new}


class CheckedCellsMixin:
    """import_field for the partner and exchange resources: refuses a formula saved without
    its value and text whose letters were lost to another encoding; notes a suspect `?` in
    the resource's `notes` (the staff member sees them before confirming)."""

    def import_field(self, field, instance, row: dict, is_m2m=False, **kwargs) -> None:
        refuse_uncomputed(row.get(field.column_name))
        stored = getattr(instance, field.attribute, None) if field.attribute else None
        super().import_field(field, instance, row, is_m2m, **kwargs)
        new = getattr(instance, field.attribute, None) if field.attribute else None
        line = file_line(self, kwargs.get("row_number", 0))
        note = check_new_text(stored, new, field.attribute, line, field.column_name)
        if note:
            self.notes.append(note)
