import time
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


_today: tuple = (None, None, None)


def today() -> date:
    # Asked several times per row by an import's checks: the local date is the same within a second
    # (and a time zone), so it is worked out once per second instead of per call.
    global _today
    key = (int(time.time()), timezone.get_current_timezone())
    if _today[:2] != key:
        _today = (*key, timezone.localdate())
    return _today[2]


def not_future(field: str, day: date | None, errors: dict) -> None:
    if day and day > today():
        errors.setdefault(field, []).append(_("日期 %(d)s 晚于今天") % {"d": day.isoformat()})


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)
