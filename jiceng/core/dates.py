from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def today() -> date:
    return timezone.localdate()


def not_future(field: str, day: date | None, errors: dict) -> None:
    if day and day > today():
        errors.setdefault(field, []).append(_("日期 %(d)s 晚于今天") % {"d": day.isoformat()})


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)
