"""Printable rosters (花名册) of any filtered list, as .docx and .xlsx on A4.

A sheet that declares a `roster` (`core.registry.Sheet.roster`: (filterset, queryset, user, as_of) ->
`Roster`) can be printed: its title (the organization and the profile's word, "某某党支部 党员花名册"), the
as-of day and the count, then a table with numbered rows (序号) and the roster's own compact columns, its
header row repeated on every page, and "第 X 页 共 Y 页" in the footer (docx: PAGE / NUMPAGES fields;
xlsx: print titles, &P / &N in the footer, fit to the page's width). Landscape when the columns are many.

The rows are the export's (`core.exports.export(..., layout="roster")`): filtered, then scoped, logged as
personal data like every export; large lists run as an export job with progress (`core.export_jobs`).
Cells are what a reader reads: dates as the reader's language shows them (`core.dates.shown`), not ISO.
"""
from __future__ import annotations

import re
from copy import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from django.utils.translation import gettext as _

from .dates import shown

FORMATS = ("docx", "xlsx")
LANDSCAPE_FROM = 8  # columns (序号 included) from which the page turns to landscape
REPORT_EVERY = 500  # rows between two progress reports
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BODY_FONT, TITLE_FONT, LATIN_FONT = "SimSun", "SimHei", "Times New Roman"


@dataclass(frozen=True)
class RosterColumn:
    key: str
    header: str
    width: float = 10  # in characters: the xlsx column's width, the docx column's share of the page


@dataclass
class Roster:
    """What a sheet's `roster` answers: the title ("某某党支部 党员花名册"), the columns (序号 is core's) and
    the rows (dicts by column key; a date is shown the reader's way). `count` says the total in words."""

    title: str
    columns: Sequence[RosterColumn]
    rows: Iterable[dict]
    count: Callable[[int], str] = field(default=lambda n: _("共 %(n)d 条") % {"n": n})


def page_numbers() -> list[str]:
    """The footer's words around the two numbers: ["第 ", " 页 共 ", " 页"] (en: ["Page ", " of ", ""])."""
    text = _("第 %(page)s 页 共 %(pages)s 页")
    return re.split(r"%\((?:page|pages)\)s", text)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return shown(value)
    return str(value)


def landscape(roster: Roster) -> bool:
    return len(roster.columns) + 1 >= LANDSCAPE_FROM


def subtitle(as_of: date, total: int, roster: Roster) -> str:
    return _("截至 %(day)s　%(count)s") % {"day": shown(as_of), "count": roster.count(total)}


def write(out: BinaryIO, roster: Roster, fmt: str, as_of: date, total: int, tick=None) -> int:
    """Write the roster as `fmt` (docx or xlsx); `tick(n)` after every row (progress, cancel). Returns the rows."""
    return (_write_docx if fmt == "docx" else _write_xlsx)(out, roster, as_of, total, tick or (lambda n: None))


# ------------------------------------------------------------------------------------------------ docx

def _fonts(element, east_asian: str) -> None:
    from docx.oxml.ns import qn

    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # theme fonts override names
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _field(paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) in the paragraph: Word and LibreOffice fill it in when they lay out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(child):
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    run(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run(separate)
    shown_text = OxmlElement("w:t")
    shown_text.text = "1"
    run(shown_text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run(end)


def _write_docx(out, roster: Roster, as_of: date, total: int, tick) -> int:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()  # python-docx's template is US Letter: a roster is on A4
    wide = landscape(roster)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if wide else (Mm(210), Mm(297))
    section.top_margin = section.bottom_margin = Mm(18)
    section.left_margin = section.right_margin = Mm(15)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10 if wide else 10.5)
    _fonts(normal.element, BODY_FONT)
    doc.core_properties.title = roster.title

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(roster.title)
    run.bold, run.font.size = True, Pt(16)
    _fonts(run._r, TITLE_FONT)
    line = doc.add_paragraph(subtitle(as_of, total, roster))
    line.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, middle, after = page_numbers()
    footer.add_run(before)
    _field(footer, "PAGE")
    footer.add_run(middle)
    _field(footer, "NUMPAGES")
    footer.add_run(after)

    headers = [_("序号")] + [c.header for c in roster.columns]
    widths = [4.0] + [float(c.width) for c in roster.columns]
    usable = section.page_width - section.left_margin - section.right_margin
    twips = [int(usable / 635 * w / sum(widths)) for w in widths]  # EMU -> twentieths of a point
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: the widths below, not measured from the content (fast for long lists)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), twips):
        col.set(qn("w:w"), str(width))
    head = table.rows[0]
    trPr = head._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):  # never split, repeated at the top of every page (schema order)
        trPr.append(OxmlElement(tag))
    for cell, text, width in zip(head.cells, headers, twips):
        cell.width = width * 635
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = paragraph.add_run(text)
        r.bold = True

    # the body's rows built as plain XML: python-docx's per-cell objects are too slow for 10,000 rows
    tbl, keys, n = table._tbl, [c.key for c in roster.columns], 0
    W_TR, W_TRPR, W_CANT, W_TC, W_P, W_R, W_T = (qn(t) for t in ("w:tr", "w:trPr", "w:cantSplit", "w:tc", "w:p", "w:r", "w:t"))
    from lxml import etree

    for row in roster.rows:
        n += 1
        tr = etree.SubElement(tbl, W_TR)
        etree.SubElement(etree.SubElement(tr, W_TRPR), W_CANT)
        for text in [str(n)] + [cell_text(row.get(k)) for k in keys]:
            p = etree.SubElement(etree.SubElement(tr, W_TC), W_P)
            if text:
                t = etree.SubElement(etree.SubElement(p, W_R), W_T)
                t.text = text
        tick(n)
    doc.save(out)
    return n


# ------------------------------------------------------------------------------------------------ xlsx

def _write_xlsx(out, roster: Roster, as_of: date, total: int, tick) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("花名册"))
    headers = [_("序号")] + [c.header for c in roster.columns]
    widths = [6.0] + [float(c.width) + 2 for c in roster.columns]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    last = get_column_letter(len(headers))

    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape(roster) else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # one page wide, as many long as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = "3:3"  # the header row on every printed page
    before, middle, after = page_numbers()
    sheet.oddFooter.center.text = f"{before}&P{middle}&N{after}"
    sheet.oddHeader.center.text = roster.title
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75

    def cell(value, **style):
        c = WriteOnlyCell(sheet, value=value)
        for k, v in style.items():
            setattr(c, k, v)
        return c

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.merged_cells.add(f"A1:{last}1")  # the title across the table
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.append([cell(roster.title, font=Font(bold=True, size=16), alignment=Alignment(horizontal="center"))])
    sheet.append([cell(subtitle(as_of, total, roster), alignment=Alignment(horizontal="left"))])
    sheet.append([cell(h, font=Font(bold=True), border=box, alignment=Alignment(horizontal="center", wrap_text=True))
                  for h in headers])
    keys, n = [c.key for c in roster.columns], 0
    # every body cell shares two styles, worked out once: setting a style per cell costs ~0.1 ms each
    number_style = cell(0, border=box)._style
    text_style = cell("", border=box, alignment=Alignment(wrap_text=True, vertical="center"))._style

    def styled(value, style):
        c = WriteOnlyCell(sheet, value=value)
        c._style = copy(style)
        return c

    for row in roster.rows:
        n += 1
        sheet.append([styled(n, number_style)] + [styled(cell_text(row.get(k)), text_style) for k in keys])
        tick(n)
    book.save(out)
    return n
