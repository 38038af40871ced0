import time
from datetime import date

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


def not_future(field: str, day: date | None, errors: dict) -> None:
    if day and day > today():
        errors.setdefault(field, []).append(_("日期 %(d)s 晚于今天") % {"d": day.isoformat()})


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)
