"""Admin strings of packages whose Korean catalogue is missing or incomplete, listed here so
that makemessages keeps them in ours and Korean staff see those screens in Korean.
Django merges every catalogue of a language, and LOCALE_PATHS comes first."""

from django.utils.translation import gettext_noop, ngettext_lazy

# django-reversion ships no Korean catalogue: history and recovery screens.

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

# django-import-export's Korean catalogue leaves these empty or fuzzy (fuzzy entries are not
# compiled): the import, preview and export screens and their messages. Its developer-only
# errors (misconfigured resources) are left out.
IMPORT_EXPORT_STRINGS = [
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("Select all"),
    gettext_noop("Resource"),
    gettext_noop("Row"),
    gettext_noop("Home"),
    ngettext_lazy("Export %(len)s selected item.", "Export %(len)s selected items.", 1),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop(
        "%(exc_name)s encountered while trying to read file. Ensure you have chosen "
        "the correct format for the file."
    ),
    gettext_noop(
        "No valid data to import. Ensure your file has the correct headers or data for import."
    ),
    gettext_noop("export failed due to IllegalCharacterError"),
    gettext_noop("Value could not be parsed."),
]

# django-axes ships no Korean catalogue: the access attempt, failure and log admin, where
# README sends administrators to unlock an account.
AXES_STRINGS = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
]

# Django admin's own Korean says 히스토리 for history; the glossary's one term is 변경 이력.
DJANGO_ADMIN_STRINGS = [
    gettext_noop("History"),
    gettext_noop("Change history: %s"),
]
