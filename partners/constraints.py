"""A model's check constraints evaluated in Python, for checks made before anything is saved.

Django evaluates a constraint's condition only in the database (CheckConstraint.validate runs
one query per constraint), which would cost a spreadsheet import five queries a row; the
conditions here are plain comparisons of a row's own fields, so they are read in Python.
"""

import functools
import operator
from collections.abc import Callable, Iterator

from django.db import models
from django.db.models import F, Q

COMPARISONS: dict[str, Callable[[object, object], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _comparison(name: str, kind: str, expected: object) -> Callable[[models.Model], bool | None]:
    """One lookup (latitude__gte=-90) as a test of an instance; None is SQL's unknown."""
    if kind == "isnull":
        return lambda instance: (getattr(instance, name) is None) == expected
    if kind not in COMPARISONS:
        raise NotImplementedError(f"lookup {kind!r} in a check constraint")
    compare = COMPARISONS[kind]

    def test(instance: models.Model) -> bool | None:
        value = getattr(instance, name)
        other = getattr(instance, expected.name) if isinstance(expected, F) else expected
        return None if value is None or other is None else compare(value, other)

    return test


def compile_condition(condition: Q) -> Callable[[models.Model], bool | None]:
    """A constraint's condition as a test of an instance, with SQL's three-valued logic: a
    comparison with NULL is unknown (None), not false. Compiled once per model, because an
    import tests every row."""
    parts = []
    for child in condition.children:
        if isinstance(child, Q):
            parts.append(compile_condition(child))
        else:
            lookup, expected = child
            name, _, kind = lookup.partition("__")
            parts.append(_comparison(name, kind or "exact", expected))
    # The result that settles the whole: any False for AND, any True for OR.
    decisive = condition.connector == Q.OR

    def holds(instance: models.Model) -> bool | None:
        results = [part(instance) for part in parts]
        if decisive in results:
            return decisive != condition.negated
        if None in results:
            return None
        return (not decisive) != condition.negated

    return holds


def fields_of(condition: Q) -> set[str]:
    """The names of the fields a condition reads."""
    names = set()
    for child in condition.children:
        names |= fields_of(child) if isinstance(child, Q) else {child[0].split("__")[0]}
    return names


@functools.cache
def single_field_checks(model: type[models.Model]) -> list[tuple[str, Callable, object]]:
    """(field, test, constraint) for each of the model's check constraints on one field."""
    checks = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            names = fields_of(constraint.condition)
            if len(names) == 1:
                checks.append((names.pop(), compile_condition(constraint.condition), constraint))
    return checks


def violated_checks(instance: models.Model, skip: set[str]) -> Iterator[tuple[str, str]]:
    """(field, message) for each of the model's check constraints on one field that the
    instance breaks; a database CHECK passes when its condition is unknown (NULL), and so
    does this. Constraints on a field in skip (already in error) are not checked.

    Raises NotImplementedError for a lookup other than a comparison or isnull.
    """
    for name, holds, constraint in single_field_checks(type(instance)):
        if name not in skip and holds(instance) is False:
            yield name, str(constraint.get_violation_error_message())


def constraint_message(model: type[models.Model], name: str) -> str:
    """The violation message of the model's constraint with this name (StopIteration if none)."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.get_violation_error_message())
