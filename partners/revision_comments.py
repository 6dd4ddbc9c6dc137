"""Comments of history revisions, stored as data and worded when read.

A revision's comment is written once and read by staff in either language. Words stored at
write time stay in the writer's language, so the portal's comments are stored as JSON (as
Django stores its change messages) and put into words in the reader's language.
"""

import datetime
import json

from django.contrib.admin.models import LogEntry
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reversion.models import Revision

INITIAL = json.dumps([{"initial": {}}])


def imported(file_name: str | None) -> str:
    """The comment of a partner's revision written by an import of file_name."""
    return json.dumps([{"imported": {"file": file_name or ""}}])


def reverted(saved_on: datetime.datetime) -> str:
    """The comment of a revision that restored the version saved at saved_on (aware)."""
    return json.dumps([{"reverted": {"saved_on": saved_on.isoformat()}}])


def imported_confirming(file_name: str | None, confirmed: list[list[str]]) -> str:
    """The comment of an import that confirmed data-check warnings ([check, field, value])."""
    return json.dumps([{"imported": {"file": file_name or ""}}, {"confirmed": confirmed}])


def describe(revision: Revision) -> str:
    """The revision's comment in the active language: ours from their data, Django's change
    messages through its own reader, anything else (older plain text) as stored; followed by
    the data-check warnings the save confirmed, if any."""
    try:
        data = json.loads(revision.comment)
    except ValueError:
        return revision.get_comment()
    if not isinstance(data, list):
        return revision.get_comment()
    return f"{describe_data(data)} {describe_confirmed(data)}".strip()


def describe_confirmed(data: list) -> str:
    """The data-check warnings a save confirmed ({"confirmed": [[check, field, value]]})."""
    from .checks import CHECKS  # the checks import the models, which import this module

    keys = [key for entry in data if isinstance(entry, dict) for key in entry.get("confirmed", [])]
    if not keys:
        return ""
    checks = "; ".join(
        f"{CHECKS.get(check, check)} ({field} = {value})" for check, field, value in keys
    )
    return _("Checked and confirmed: %(checks)s.") % {"checks": checks}


def describe_data(data: list) -> str:
    entry = data[0] if data and isinstance(data[0], dict) else {}
    if "initial" in entry:
        return _("Initial version.")
    if "imported" in entry:
        file_name = entry["imported"].get("file") or _("a spreadsheet")
        return _("Imported from %(file)s.") % {"file": file_name}
    if "reverted" in entry:
        saved_on = datetime.datetime.fromisoformat(entry["reverted"]["saved_on"])
        return _("Reverted to previous version, saved on %(datetime)s") % {
            "datetime": formats.localize(timezone.localtime(saved_on))
        }
    # Django's change message, its records named in the reader's language where the admin
    # stored both names (HistoryAdmin.construct_change_message).
    language = "en" if (translation.get_language() or "ko").startswith("en") else "ko"
    for sub_message in data:
        details = sub_message.values() if isinstance(sub_message, dict) else []
        for detail in details:
            if isinstance(detail, dict) and language in detail.get("object_names", {}):
                detail["object"] = detail["object_names"][language]
    return LogEntry(change_message=json.dumps(data)).get_change_message()
