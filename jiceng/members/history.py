"""Dated archive fields (members.models.DATED_FIELDS): 人员状态, 学历, 学位, 职称, 职业类别/界别.

Each field's values over a life are AttributeLines; the Member column of the same name mirrors the open
line (blank when none is open). The statistics read a past day through `values_as_of`; the services write
through `set_value` and `first_lines`, nothing else writes the lines.
"""
from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from jiceng.core import bulk

from .models import DATED_FIELDS, AttributeLine, Member


def values_as_of(field: str, day: date) -> QuerySet:
    """(member_id, value) of every member with a known `field` at the end of `day` — a member without a
    line that day (unknown, not yet on file, or left before) is absent. Lines of a member who left end on
    the day they left, so a day before still finds them."""
    if field not in DATED_FIELDS:
        raise ValueError(f"{field!r} is not a dated field ({', '.join(DATED_FIELDS)})")
    return AttributeLine.objects.filter(field=field).as_of(day).values_list("member_id", "value")


def lines_of(member: Member) -> dict[str, list[AttributeLine]]:
    """The member's lines by field, oldest first (one query): what the member page shows as 历史."""
    out: dict[str, list[AttributeLine]] = {f: [] for f in DATED_FIELDS}
    for line in member.attribute_lines.order_by("field", "start", "pk"):
        out[line.field].append(line)
    return out


def first_line_rows(member_id: int, values: dict, start: date) -> list[tuple]:
    """The first lines of a person written in bulk (an import, a new member): one per known dated field,
    from `start` (their belonging's start), as (member_id, field, value, start, end, note) rows."""
    return [(member_id, f, values[f], start, None, "") for f in DATED_FIELDS if values.get(f)]


ROW_COLUMNS = ("member_id", "field", "value", "start", "end", "note")


def write_first_lines(rows) -> None:
    bulk.insert_rows(AttributeLine, ROW_COLUMNS, rows)


def set_value(member: Member, field: str, value: str, day: date, *, note: str = "") -> None:
    """`field` holds `value` from `day` on (checked by services.dated_errors first): the open line ends on
    `day` and a new one begins; a line that began on `day` itself is rewritten (a correction of the value it
    held from then). A blank value ends the open line and opens none."""
    line = member.attribute_lines.filter(field=field, end__isnull=True).first()
    if line is not None and line.value == value:
        return
    if line is not None and line.start == day:
        if value:
            line.value, line.note = value, note or line.note
            line.save()
        else:
            line.delete()
        _merge_with_previous(member, field, day)
        return
    if line is not None:
        line.end = day
        line.save()
    if value:
        previous = member.attribute_lines.filter(field=field, end=day, value=value).first()
        if previous is not None:  # back to the value that ended that day: the earlier line goes on
            previous.end = None
            previous.save()
        else:
            AttributeLine.objects.create(member=member, field=field, value=value, start=day, note=note)


def _merge_with_previous(member: Member, field: str, day: date) -> None:
    """After a rewrite on `day`: a line ending on `day` with the same value as the line from `day` is one
    line (a correction back to the earlier value)."""
    current = member.attribute_lines.filter(field=field, start=day).first()
    previous = member.attribute_lines.filter(field=field, end=day).first()
    if current is not None and previous is not None and previous.value == current.value:
        previous.end = current.end
        current.delete()
        previous.save()


def shown_lines(member: Member) -> list[tuple[str, list[AttributeLine]]]:
    """(field's label, its lines newest first) for the fields with a history: the member page's 历史."""
    labels = dict(AttributeLine.FIELD_CHOICES)
    return [(labels[f], lines[::-1]) for f, lines in lines_of(member).items() if lines]


def state_as_of(member: Member, day: date) -> list[tuple[str, str]]:
    """(field's label, value or "") of every dated field at the end of `day`."""
    held = dict(member.attribute_lines.as_of(day).values_list("field", "value"))
    labels = dict(AttributeLine.FIELD_CHOICES)
    return [(labels[f], held.get(f, "")) for f in DATED_FIELDS]
