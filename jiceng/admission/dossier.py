"""The development dossier (发展档案) as a Word document: the standard forms' content, filled from the
record (全程记实). Its sections are the profile's stages and steps, its rows the steps' fields: the same
builder serves the CCP, 民进 and 九三学社 procedures. Every download is logged as an export."""
from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.http import require_GET
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from jiceng.core.dates import shown, today
from jiceng.core.exports import log_personal_data
from jiceng.core import profiles
from jiceng.core.i18n import pick
from jiceng.core.views import scoped_object

from . import engine, services
from .models import Application

# East Asian text needs a font that has it: SimSun (宋体) and SimHei (黑体) where Word runs; LibreOffice
# substitutes Noto Serif / Sans CJK SC through fontconfig.
BODY_FONT, HEADING_FONT, LATIN_FONT = "SimSun", "SimHei", "Times New Roman"
CHINESE_NUMBERS = "一二三四五六七八九十"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _set_font(style, east_asian: str, size: float | None = None) -> None:
    style.font.name = LATIN_FONT
    style.font.color.rgb = RGBColor(0, 0, 0)
    if size:
        style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # theme fonts override names
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), east_asian)


def _document():
    doc = Document()  # python-docx's default template is US Letter: the dossier is on A4 (GB/T 9704 margins)
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _set_font(doc.styles["Normal"], BODY_FONT, 11)
    lang = doc.styles["Normal"].element.get_or_add_rPr().find(qn("w:lang"))
    if lang is None:
        lang = doc.styles["Normal"].element.get_or_add_rPr().makeelement(qn("w:lang"), {})
        doc.styles["Normal"].element.get_or_add_rPr().append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    defaults = doc.styles.element.find(qn("w:docDefaults"))  # what every other style (tables, lists) falls back on
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts")) if defaults is not None else None
    if fonts is not None:
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        fonts.set(qn("w:ascii"), LATIN_FONT)
        fonts.set(qn("w:hAnsi"), LATIN_FONT)
        fonts.set(qn("w:eastAsia"), BODY_FONT)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 12)):
        _set_font(doc.styles[name], HEADING_FONT, size)
    return doc


def _rows(doc, rows: list[tuple[str, str]]) -> None:
    """A two-column table of label and value (the forms' boxes)."""
    table = doc.add_table(rows=0, cols=2, style="Table Grid")
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].width = Pt(110)


def _grid(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header), style="Table Grid")
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text


def _ordinal(i: int) -> str:
    return f"{CHINESE_NUMBERS[i]}、" if i < len(CHINESE_NUMBERS) else f"{i + 1}. "


def _vote(doc, tally: dict) -> None:
    """The meeting's figures as a table, then as the minutes put them."""
    labels = [_("应到会有表决权人数"), _("实到"), _("赞成"), _("反对"), _("弃权"), _("书面赞成"), _("书面反对"), _("结果")]
    keys = ("entitled", *engine.VOTE_KEYS)
    _grid(doc, labels, [[str(int(tally.get(k) or 0)) for k in keys] + [_("通过") if tally.get("passed") else _("未通过")]])
    doc.add_paragraph(engine.vote_text(tally))


def _value(f, value) -> str:
    if f.type == "number" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _record(doc, app: Application, item: dict, lines: dict) -> None:
    """One recorded step: its date and result, each field it recorded, the category it gave, its warnings."""
    record, step = item["record"], item["record"].definition
    actor = services.acting_org(app.org, step)
    rows = [(_("日期"), shown(record.on)), (_("办理组织"), actor.name if actor else "")]
    if item["notice_ends"]:
        rows.append((_("公示期"), _("%(a)s 至 %(b)s") % {"a": shown(record.on), "b": shown(item["notice_ends"])}))
    votes = []
    for f, value in item["fields"]:
        if f.type == "file":
            if record.attachment:
                rows.append((pick(f.label), _("已附（%(n)s）") % {"n": record.attachment.name.rsplit("/", 1)[-1]}))
        elif f.type == "vote":
            if not engine.blank(f, value):
                votes.append((f, value))
        elif not engine.blank(f, value):
            rows.append((pick(f.label), _value(f, value)))
    if not record.passed:
        rows.append((_("结果"), _("未通过")))
    if record.passed and step.effect and step.effect.category in lines:
        rows.append((_("人员类别"), _("%(c)s，自 %(d)s 起") % {
            "c": app.rules.category_label(step.effect.category), "d": shown(lines[step.effect.category])}))
    _rows(doc, rows)
    for f, tally in votes:
        doc.add_paragraph(pick(f.label))
        _vote(doc, tally)
    for w in record.warnings:
        doc.add_paragraph(_("提示：%(t)s（%(c)s）") % {"t": pick(w), "c": profiles.reference(w.get("cite", ""))})


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def build(app: Application) -> bytes:
    """The dossier of `app` as .docx bytes."""
    rules, member = app.rules, app.member
    timeline = services.timeline(app)
    lines = dict(member.category_lines.order_by("start").values_list("category", "start"))
    doc = _document()
    doc.core_properties.title = f"{member.name} {_('发展档案')}"

    title = doc.add_paragraph(_("发展%(m)s档案") % {"m": rules.word("member")}, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    upper = services.upper_org(app.org)
    cover = [(_("姓名"), member.name), (_("性别"), member.sex or ""), (_("出生日期"), shown(member.birth_date)),
             (_("所在组织"), app.org.name)]
    cover += [(_("上级组织"), upper.name)] if upper else []
    cover += [(_("所属体系"), rules.name), (rules.word("applied_date"), shown(app.applied_on)),
              (_("所处阶段"), app.stage_label), (_("状态"), app.get_status_display())]
    cover += [(rules.category_label(cat), _("自 %(d)s 起") % {"d": shown(day)}) for cat, day in lines.items()]
    _rows(doc, cover)

    for i, stage in enumerate(rules.admission.stages):
        doc.add_heading(f"{_ordinal(i)}{pick(stage.label)}", level=1)
        items = [t for t in timeline if t["stage"] and t["stage"].key == stage.key]
        if not items:
            doc.add_paragraph(_("（尚未进行）"))
        for step in stage.steps:
            for item in (t for t in items if t["record"].step == step.key):
                doc.add_heading(f"（{step.number}）{pick(step.label)}" if step.number else pick(step.label), level=2)
                _record(doc, app, item, lines)

    doc.add_heading(_("全程记实"), level=1)
    _grid(doc, [_("日期"), _("步骤"), _("结果"), _("记录人"), _("记录时间")], [
        [shown(t["record"].on), t["record"].step_label, _("通过") if t["record"].passed else _("未通过"),
         _who(t["record"].recorded_by),
         shown(t["record"].recorded_at)] for t in timeline])
    doc.add_paragraph(_("本档案根据全程记实生成，生成日期 %(d)s。") % {"d": shown(today())})
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def export(app: Application, user) -> bytes:
    """Build the dossier and log it: personal data leaving the system."""
    data = build(app)
    log_personal_data(user, "dossier", fmt="docx", what={"application": app.pk}, rows=app.steps.count())
    return data


@login_required
@require_GET
def dossier_view(request, pk):
    """The dossier as a download, to whoever may read the application (outside the scope: 404)."""
    app = scoped_object(Application, request.user, pk)
    data = export(app, request.user)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=f"{app.member.name}_发展档案.docx",
                        content_type=DOCX)
