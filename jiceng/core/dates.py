import re
import time
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


_today: tuple[int, date] | None = None


def today() -> date:
    # Asked several times per row by an import's checks: the local date is the same within a second
    # (the project has one time zone, settings.TIME_ZONE), so it is worked out once a second.
    global _today
    second = int(time.time())
    if _today is None or _today[0] != second:
        _today = (second, timezone.localdate())
    return _today[1]


def shown(value: date | datetime | None) -> str:
    """A day or a moment as pages write it in the reader's language (jiceng/formats: 2026-11-29, 29 Nov 2026;
    a moment with its hour and minute, local time) — for a message or a label built in Python. Files and the
    API keep ISO."""
    from django.utils.formats import date_format

    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")


_ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def shown_in(text: str) -> str:
    """The ISO days inside a stored text (a change record's name of its object, a logged value) written the
    reader's way: texts are stored with ISO days, in no reader's language, and shown in each reader's."""
    def day(m):
        try:
            return shown(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    return _ISO_DAY.sub(day, str(text)) if text else text


def not_future(field: str, day: date | None, errors: dict) -> None:
    if day and day > today():
        errors.setdefault(field, []).append(_("日期 %(d)s 晚于今天") % {"d": shown(day)})


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)
