"""The printed transfer letter (介绍信) with its return slip (回执), on A4, as .docx: for the paper route, and
for any letter a branch keeps on file. The facts other apps know of the member (dues paid up to: core.registry
person facts) are printed without this app reading theirs."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _

from jiceng.core import registry
from jiceng.core.dates import shown

LATIN_FONT, CHINESE_FONT = "Times New Roman", "SimSun"


def _fonts(run) -> None:
    from docx.oxml.ns import qn

    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), CHINESE_FONT)


def lines_of(transfer) -> list[tuple[str, str]]:
    """The letter's facts, (label, text), in the order printed (also what the tests read)."""
    member = transfer.member
    rules = member.rules
    rows = [
        (_("介绍信编号"), transfer.letter_no),
        (_("姓名"), member.name),
        (_("性别"), member.sex or "—"),
        (_("人员类别"), member.category_label),
        (_("转出组织"), transfer.from_label),
        (_("转入组织"), transfer.to_label),
        (_("开具日期"), shown(transfer.issued_on)),
        (_("有效期至"), shown(transfer.valid_until)),
    ]
    if member.birth_date:
        rows.insert(3, (_("出生日期"), shown(member.birth_date)))
    rows += registry.facts_of(member)
    if transfer.reason:
        rows.append((_("转接原因"), transfer.reason))
    rows.append((_("组织体系"), rules.name))
    return rows


def write(transfer) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4 (the template is US Letter)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)
    rules = transfer.member.rules
    title_text = rules.transfers.letter_title if rules.transfers else _("组织关系介绍信")

    def para(text, *, size=12, bold=False, center=False, space=6):
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold, run.font.size = bold, Pt(size)
        _fonts(run)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(space)
        return p

    para(title_text, size=18, bold=True, center=True, space=4)
    para(_("编号：%(no)s") % {"no": transfer.letter_no}, size=10.5, center=True, space=12)
    para(_("%(to)s：") % {"to": transfer.to_label}, size=12)
    member = transfer.member
    para(_("兹介绍 %(name)s 同志（%(cat)s）的组织关系由 %(from)s 转至你处，请接洽。该同志组织关系介绍信有效期至 %(until)s。")
         % {"name": member.name, "cat": member.category_label, "from": transfer.from_label,
            "until": shown(transfer.valid_until)}, size=12, space=10)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, text in lines_of(transfer):
        cells = table.add_row().cells
        for cell, value in zip(cells, (label, text)):
            cell.text = ""
            run = cell.paragraphs[0].add_run(value)
            run.font.size = Pt(11)
            _fonts(run)
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Mm(45), Mm(115)
    para("", space=12)
    para(_("%(from)s（盖章）") % {"from": transfer.from_label}, size=12, space=2).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para(shown(transfer.issued_on), size=12, space=18).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para("- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -", size=9, center=True, space=12)
    para(_("回执"), size=16, bold=True, center=True, space=4)
    para(_("编号：%(no)s") % {"no": transfer.letter_no}, size=10.5, center=True, space=10)
    para(_("%(from)s：") % {"from": transfer.from_label}, size=12)
    para(_("%(name)s 同志的组织关系已转达我处，特此回复。") % {"name": member.name}, size=12, space=18)
    para(_("接收组织（盖章）：________________"), size=12, space=2).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para(_("日期：____年__月__日"), size=12).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def filename(transfer) -> str:
    return f"transfer-{transfer.letter_no}.docx".replace("/", "-")
