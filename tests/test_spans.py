"""Working days and calendar months, as the admission rules count them."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings as hsettings, strategies as st

from jiceng.core import spans


def test_a_notice_posted_on_monday_for_five_working_days_ends_on_friday():
    assert spans.nth_working_day(date(2025, 3, 3), 5) == date(2025, 3, 7)


def test_weekends_holidays_and_make_up_days_follow_the_calendar_file():
    # 2025-09-26 (Fri): Sat 27 off, Sun 28 a make-up working day, Mon 29, Tue 30, then the 1–8 October holiday
    assert spans.nth_working_day(date(2025, 9, 26), 5) == date(2025, 10, 9)
    assert spans.is_working_day(date(2025, 9, 28)) and not spans.is_working_day(date(2025, 10, 3))


def test_months_fall_back_to_the_end_of_a_shorter_month():
    assert spans.add(date(2024, 1, 31), months=1) == date(2024, 2, 29)
    assert spans.add(date(2023, 2, 28), years=1) == date(2024, 2, 28)
    assert spans.add(date(2024, 2, 29), years=1) == date(2025, 2, 28)


@hsettings(max_examples=200, deadline=None)
@given(st.dates(date(2024, 1, 1), date(2026, 12, 1)), st.integers(1, 15))
def test_the_nth_working_day_has_exactly_n_working_days_up_to_it(start, n):
    end = spans.nth_working_day(start, n)
    days = [start + timedelta(d) for d in range((end - start).days + 1)]
    assert spans.is_working_day(end)
    assert sum(spans.is_working_day(d) for d in days) == n


def test_a_broken_holiday_file_is_named(tmp_path, settings):
    bad = tmp_path / "holidays.yaml"
    bad.write_text("holidays:\n  2025: [13-45]\n", encoding="utf-8")
    settings.JICENG_HOLIDAYS_FILE = bad
    spans._calendar.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="holidays.yaml"):
            spans.is_working_day(date(2025, 1, 1))
    finally:
        spans._calendar.cache_clear()
