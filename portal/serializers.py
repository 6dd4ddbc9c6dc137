"""Django's JSON serializer, writing times to the microsecond (SERIALIZATION_MODULES["json"]).

Django's encoder cuts datetimes and times to milliseconds, as ECMA-262 (JavaScript) dates
are; backups (backup_data), dumpdata and the change history read back by Python need every
digit, or a restore changes every timestamp. Reading is Django's own deserializer, which
already parses full ISO 8601, so older files with millisecond times still load.
"""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as DjangoSerializer

__all__ = ["Deserializer", "Serializer"]


class ExactJSONEncoder(DjangoJSONEncoder):
    """ISO 8601 with all six digits of the microseconds (2024-05-01T09:30:00.123456Z)."""

    def default(self, o: object) -> object:
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time) and o.utcoffset() is None:
            return o.isoformat()
        return super().default(o)


class Serializer(DjangoSerializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()
