"""django-reversion ships no Korean catalogue. Its admin screens' strings are listed here so
that makemessages keeps them in ours, and Korean staff see history and recovery in Korean.
Django merges every catalogue of a language, and LOCALE_PATHS comes first."""

from django.utils.translation import gettext_noop

REVERSION_STRINGS = [
    gettext_noop("Initial version."),
    gettext_noop("Reverted to previous version, saved on %(datetime)s"),
    gettext_noop("Could not load %(object_repr)s version - not found"),
    gettext_noop("Could not save %(object_repr)s version - missing dependency."),
    gettext_noop("Recover %(name)s"),
    gettext_noop("Revert %(name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Recover deleted %(name)s"),
    gettext_noop("Choose a date from the list below to recover a deleted version of an object."),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("Press the save button below to recover this version of the object."),
    gettext_noop("Press the save button below to revert to this version of the object."),
    gettext_noop("There are no deleted objects to recover."),
    gettext_noop(
        "This object doesn't have a change history. It probably wasn't added via this admin site."
    ),
]
