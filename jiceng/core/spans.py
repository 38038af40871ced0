"""Adding lengths of time to dates: calendar months and years, and working days (weekends and the
configured holiday list skipped, make-up working days counted)."""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset, frozenset]:
    path = settings.JICENG_HOLIDAYS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        days = {key: frozenset(date.fromisoformat(f"{year}-{md}") for year, mds in (data.get(key) or {}).items()
                               for md in mds) for key in ("holidays", "workdays")}
    except (OSError, yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
        raise ImproperlyConfigured(f"节假日文件 {path.name} 有误 / holiday file {path.name} is invalid: {exc}") from exc
    return days["holidays"], days["workdays"]


def is_working_day(day: date) -> bool:
    holidays, workdays = _calendar()
    return day in workdays or (day.weekday() < 5 and day not in holidays)


def nth_working_day(start: date, n: int) -> date:
    """The n-th working day counting from `start` itself (a notice posted on a Monday for 5 working
    days ends on Friday)."""
    day, counted = start, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted >= n:
                return day
        day += timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """Calendar months; a day past the month's end falls back to its last day (Jan 31 + 1 month = Feb 28)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add(day: date, *, years: int = 0, months: int = 0, days: int = 0, working_days: int = 0) -> date:
    day = add_months(day, 12 * years + months) + timedelta(days=days)
    return nth_working_day(day + timedelta(days=1), working_days) if working_days else day
