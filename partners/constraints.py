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


def _holds(condition: Q, instance: models.Model) -> bool | None:
    """SQL's three-valued logic: a comparison with NULL is unknown (None), not false."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_holds(child, instance))
            continue
        lookup, expected = child
        name, _, kind = lookup.partition("__")
        value = getattr(instance, name)
        if kind == "isnull":
            results.append((value is None) == expected)
            continue
        if isinstance(expected, F):
            expected = getattr(instance, expected.name)
        if kind not in COMPARISONS:
            raise NotImplementedError(f"lookup {kind!r} in a check constraint")
        results.append(None if None in (value, expected) else COMPARISONS[kind](value, expected))
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    if condition.negated and result is not None:
        result = not result
    return result


def fields_of(condition: Q) -> set[str]:
    """The names of the fields a condition reads."""
    names = set()
    for child in condition.children:
        names |= fields_of(child) if isinstance(child, Q) else {child[0].split("__")[0]}
    return names


@functools.cache
def single_field_checks(model: type[models.Model]) -> list[tuple[str, models.CheckConstraint]]:
    """(field, constraint) for each of the model's check constraints that reads one field."""
    checks = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            names = fields_of(constraint.condition)
            if len(names) == 1:
                checks.append((names.pop(), constraint))
    return checks


def violated_checks(instance: models.Model, skip: set[str]) -> Iterator[tuple[str, str]]:
    """(field, message) for each of the model's check constraints on one field that the
    instance breaks; a database CHECK passes when its condition is unknown (NULL), and so
    does this. Constraints on a field in skip (already in error) are not checked.

    Raises NotImplementedError for a lookup other than a comparison or isnull.
    """
    for name, constraint in single_field_checks(type(instance)):
        if name not in skip and _holds(constraint.condition, instance) is False:
            yield name, str(constraint.get_violation_error_message())


def constraint_message(model: type[models.Model], name: str) -> str:
    """The violation message of the model's constraint with this name (StopIteration if none)."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.get_violation_error_message())
