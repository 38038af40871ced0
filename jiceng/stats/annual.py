"""The official annual tables (党内统计年报; the democratic parties' own set) as an .xlsx workbook: an organization's
subtree at the end of a year, one sheet per table and a 校验 sheet of cross-checks. See docs/stats.md.

The tables are data: a layout per profile in `layouts/*.yaml` (which profiles it serves, its tables, each table's
total and column groups, each group a fixed list of columns or a breakdown of the statistics document, and the
checks its numbers must pass). Python only computes the figures (the statistics document, `document.document`,
plus a few counts it does not carry) and writes whatever the layout says; no party is named here.

A failing cross-check refuses nothing: the workbook is written and the failure marked ✗ on the 校验 sheet (and
returned to the caller); the tests require every check to pass, so a ✗ is a bug.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

import yaml
from django.db.models import Count, Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ConfigDict

from jiceng.core import vocab
from jiceng.core.exports import log_personal_data
from jiceng.core.paths import within
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from .document import UNKNOWN, counted_people, document, subtree_lines

LAYOUTS = Path(__file__).parent / "layouts"
SUBJECT = "annual_tables"  # the export record's subject (registered in offers.py)
COLLEGE = vocab.EDUCATIONS[:3]  # 研究生, 大学本科, 大学专科: "junior college and above" (RULES.md §9)
HAN = "汉族"
PASS, FAIL = "✓", "✗"


# --- the layout (data) ------------------------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cell(_Strict):
    label: str
    value: str  # a dotted path into the figures


class Group(_Strict):
    label: str
    columns: list[Cell] = []
    breakdown: str | None = None  # a path to {word: count}: one column per word, 未知 last as unknown_label
    unknown_label: str = "未填写"
    sums: bool | str = False  # the columns add up to the table's total (true) or to the figure at this path
    sums_label: str | None = None
    within: str | None = None  # the columns add up to no more than the figure at this path
    each_within: bool = False  # each column is at most the table's total ("其中")


class Table(_Strict):
    key: str
    title: str
    total: Cell
    equals: Cell | None = None
    groups: list[Group]


class Sector(_Strict):
    label: str
    sectors: list[str]


class Layout(_Strict):
    profiles: list[str]
    source: str
    unit_label: str
    official_sectors: list[Sector]
    tables: list[Table]


@cache
def layouts() -> dict[str, Layout]:
    """{profile key: its layout}, from every file in layouts/."""
    out = {}
    for path in sorted(LAYOUTS.glob("*.yaml")):
        layout = Layout.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for key in layout.profiles:
            out[key] = layout
    return out


def layout_for(profile_key: str) -> Layout:
    return layouts()[profile_key]


# --- the figures --------------------------------------------------------------------------------------------------

def figures(user, org: Org, year: int) -> dict:
    """The statistics document at the end of `year` (its new members: that year) with the extra counts the
    tables need: minorities, junior college and above, education × degree, the organizations by their official
    group and sector, and each total counted apart (distinct people, distinct organizations) for the checks."""
    day = date(year, 12, 31)
    doc = document(user, org, day)  # scope: "not found" outside the caller's
    rules, layout = org.rules, layout_for(org.profile)
    _root, org_lines = subtree_lines(org, day)
    members, _candidates = counted_people(org_lines, day, rules)
    new = members.filter(joined__gte=date(year, 1, 1), joined__lte=day)
    minority = Q(ethnicity_v__isnull=False) & ~Q(ethnicity_v="") & ~Q(ethnicity_v=HAN)
    m, nm = doc["members"], doc["new_members"]
    m["minorities"] = members.filter(minority).count()
    m["college_and_above"] = sum(m["by_education"].get(e, 0) for e in COLLEGE)
    m["people"] = members.values("member_id").distinct().count()
    cross: dict[str, dict[str, int]] = {}
    for education, degree, n in (members.order_by().values_list("education_v", "degree_v")
                                 .annotate(n=Count("pk")).order_by()):
        row = cross.setdefault(education or UNKNOWN, {})
        row[degree or UNKNOWN] = row.get(degree or UNKNOWN, 0) + n
    m["edu_degree"] = cross
    nm["minorities"] = new.filter(minority).count()
    nm["people"] = new.values("member_id").distinct().count()
    doc["organizations"].update(_base_organizations(org_lines, rules, layout))
    # those who left in the year, counted apart by the Member row's mirror of the exit day
    doc["exits"]["people"] = Member.objects.filter(
        within("org_path", org.path), exited_on__gte=date(year, 1, 1), exited_on__lte=day,
        category__in=[c.key for c in rules.categories if c.is_member]).exclude(
        exit__kind__in=[e.key for e in rules.exits if not e.leaves]).count()
    return doc


def _base_organizations(org_lines, rules, layout: Layout) -> dict:
    """The organizations whose kind the profile counts in the official statistics (its `stats_group`: base
    committees, general branches, branches — not party groups), by group and by official sector."""
    group_of = {k.key: k.stats_group for k in rules.kinds if k.stats_group}
    base = org_lines.filter(kind__in=list(group_of))
    by_group = dict.fromkeys(dict.fromkeys(group_of.values()), 0)
    for kind, n in base.order_by().values_list("kind").annotate(n=Count("pk")).order_by():
        by_group[group_of[kind]] += n
    sector_of = {s: g.label for g in layout.official_sectors for s in g.sectors}
    by_sector = dict.fromkeys([g.label for g in layout.official_sectors], 0)
    for sector, n in base.order_by().values_list("sector").annotate(n=Count("pk")).order_by():
        word = sector_of.get(sector or "", UNKNOWN)
        by_sector[word] = by_sector.get(word, 0) + n
    return {"base": base.count(), "base_orgs": base.values("org_id").distinct().count(),
            "by_group": by_group, "by_official_sector": by_sector}


def value(figs: dict, path: str) -> int:
    """The number at a dotted path; 0 where the path holds nothing (a word nobody has)."""
    node = figs
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return 0
        node = node[part]
    return node if isinstance(node, int) else 0


# --- the tables as rows of numbers, and their checks -------------------------------------------------------------

@dataclass
class Column:
    group: str | None  # None: the table's total
    label: str
    number: int


@dataclass
class Check:
    table: str
    what: str
    left: int
    right: int
    relation: str  # "=" or "≤"

    @property
    def ok(self) -> bool:
        return self.left == self.right if self.relation == "=" else self.left <= self.right

    @property
    def mark(self) -> str:
        return PASS if self.ok else FAIL


def _group_columns(group: Group, figs: dict, word: str) -> list[Column]:
    if group.breakdown:
        counts = figs
        for part in group.breakdown.split("."):
            counts = counts.get(part, {}) if isinstance(counts, dict) else {}
        cols = [Column(group.label, w, n) for w, n in counts.items() if w != UNKNOWN]
        return [*cols, Column(group.label, group.unknown_label, counts.get(UNKNOWN, 0))]
    return [Column(group.label, c.label.format(member=word), value(figs, c.value)) for c in group.columns]


def tables(figs: dict, layout: Layout, word: str) -> list[tuple[str, list[Column], list[Check]]]:
    """Each table: its title, its columns (the total first) with their numbers, and its cross-checks."""
    out = []
    for table in layout.tables:
        title = table.title.format(member=word)
        total_label = table.total.label.format(member=word)
        total = value(figs, table.total.value)
        columns, checks = [Column(None, total_label, total)], []
        if table.equals:
            checks.append(Check(title, f"{total_label} = {table.equals.label.format(member=word)}", total,
                                value(figs, table.equals.value), "="))
        for group in table.groups:
            cols = _group_columns(group, figs, word)
            columns += cols
            part = sum(c.number for c in cols)
            if group.sums is True:
                checks.append(Check(title, f"{group.label}：各项之和 = {total_label}", part, total, "="))
            elif group.sums:
                label = (group.sums_label or group.sums).format(member=word)
                checks.append(Check(title, f"{group.label}：各项之和 = {label}", part, value(figs, group.sums), "="))
            if group.within:
                checks.append(Check(title, f"{group.label}：各项之和 ≤ {group.within.rsplit('.', 1)[-1]}", part,
                                    value(figs, group.within), "≤"))
            if group.each_within:
                checks += [Check(title, f"{group.label}{c.label} ≤ {total_label}", c.number, total, "≤") for c in cols]
        out.append((title, columns, checks))
    return out


# --- the workbook -----------------------------------------------------------------------------------------------

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RED = PatternFill("solid", fgColor="FFC7CE")
GREEN = PatternFill("solid", fgColor="C6EFCE")
CHECK_SHEET = "校验"


def _print_setup(ws, width: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > 8 else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_options.horizontalCentered = True


def workbook(figs: dict, layout: Layout, word: str, org_name: str, year: int) -> tuple[Workbook, list[Check]]:
    wb = Workbook()
    wb.remove(wb.active)
    checks: list[Check] = []
    subtitle = f"{org_name}　截至{year}年12月31日"
    for title, columns, table_checks in tables(figs, layout, word):
        checks += table_checks
        ws = wb.create_sheet(title.split()[0][:31])
        width = len(columns) + 1
        last = get_column_letter(width)
        ws.append([title])
        ws.merge_cells(f"A1:{last}1")
        ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), CENTER
        ws.append([subtitle])
        ws.merge_cells(f"A2:{last}2")
        ws["A2"].alignment = CENTER
        # header: the unit and the total over two rows; each group's name over its columns, their words below
        ws.cell(3, 1, layout.unit_label)
        ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
        col = 2
        while col - 2 < len(columns):
            column = columns[col - 2]
            if column.group is None:
                ws.cell(3, col, column.label)
                ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
                col += 1
                continue
            span = 1
            while col - 2 + span < len(columns) and columns[col - 2 + span].group == column.group:
                span += 1
            ws.cell(3, col, column.group)
            if span > 1:
                ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + span - 1)
            for i in range(span):
                ws.cell(4, col + i, columns[col - 2 + i].label)
            col += span
        ws.append([org_name, *[c.number for c in columns]])
        for row in ws.iter_rows(min_row=3, max_row=5, max_col=width):
            for cell in row:
                cell.border, cell.alignment = BOX, CENTER
        for row in ws.iter_rows(min_row=3, max_row=4, max_col=width):
            for cell in row:
                cell.font = Font(bold=True)
        ws.cell(7, 1, f"口径：{layout.source}").font = Font(size=8)
        ws.column_dimensions["A"].width = 24
        for i in range(2, width + 1):
            ws.column_dimensions[get_column_letter(i)].width = 9
        ws.row_dimensions[4].height = 48
        _print_setup(ws, width)
    _check_sheet(wb.create_sheet(CHECK_SHEET), checks, subtitle)
    return wb, checks


def _check_sheet(ws, checks: list[Check], subtitle: str) -> None:
    failed = sum(1 for c in checks if not c.ok)
    ws.append(["交叉校验"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([subtitle])
    ws.append([f"全部 {len(checks)} 项通过 {PASS}" if not failed else f"{failed} 项未通过 {FAIL}（共 {len(checks)} 项）"])
    ws["A3"].fill, ws["A3"].font = (GREEN if not failed else RED), Font(bold=True)
    ws.append(["表", "校验项", "数值", "关系", "应为", "结果"])
    for c in checks:
        ws.append([c.table, c.what, c.left, c.relation, c.right, c.mark])
        if not c.ok:
            for cell in ws[ws.max_row]:
                cell.fill = RED
    for row in ws.iter_rows(min_row=4, max_row=ws.max_row, max_col=6):
        for cell in row:
            cell.border = BOX
    for letter, width in zip("ABCDEF", (22, 48, 10, 6, 10, 6)):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, 6)


def annual_tables(user, org: Org, year: int) -> tuple[bytes, list[Check]]:
    """The workbook's bytes and its checks for `org`'s subtree at the end of `year`; 404 outside the scope."""
    figs = figures(user, org, year)
    wb, checks = workbook(figs, layout_for(org.profile), org.rules.word("member"), figs["org"]["name"], year)
    out = BytesIO()
    wb.save(out)
    return out.getvalue(), checks


def export(user, org: Org, year: int) -> tuple[bytes, list[Check]]:
    """`annual_tables`, logged as an export (counts only, but a record of what left the system all the same)."""
    data, checks = annual_tables(user, org, year)
    log_personal_data(user, SUBJECT, what={"org": org.code, "year": year}, fmt="xlsx",
                      rows=len(layout_for(org.profile).tables))
    return data, checks


def filename(org: Org, year: int) -> str:
    return f"{org.code}-{year}-annual.xlsx"
