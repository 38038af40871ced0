"""The narrative report (基本情况): paragraphs in Chinese written from the statistics document by an editable
template (one per profile, Django template language), with the main tables and a chart; as HTML, .docx or
JSON. The phrasing lives in the templates (jiceng/profiles/reports/<profile>.txt, overridable in
JICENG_PROFILE_DIRS/reports/), the numbers here. Counts only: no person is named. See docs/stats.md.
"""
from __future__ import annotations

import io
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from jiceng.core import vocab
from jiceng.core.dates import today
from jiceng.core.profiles import profile_dirs
from jiceng.orgs.models import Org

from .document import AGE_BANDS, UNKNOWN, add_years, document, subtree_lines

COLLEGE = ("研究生", "大学本科", "大学专科")  # 大专及以上
SENIOR = ("正高级", "副高级")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- the templates' helpers (filters) -------------------------------------------------------------------------

def share(part, whole) -> str:
    """part of whole in per cent to one decimal, rounded half up: 40 of 47 → "85.1%"; "" when whole is 0."""
    if not whole:
        return ""
    value = (Decimal(int(part or 0)) * 100 / Decimal(int(whole))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def change(delta, unit: str = "名") -> str:
    """The comparison with the previous year: 比上年增加3名 / 比上年减少2名 / 与上年持平; "" when unknown."""
    if delta is None or delta == "":
        return ""
    delta = int(delta)
    if delta > 0:
        return f"比上年增加{delta}{unit}"
    if delta < 0:
        return f"比上年减少{-delta}{unit}"
    return "与上年持平"


def num(value) -> str:
    """A number as reports write it: 35.0 → "35", 34.56 → "34.6"."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(value.to_integral_value()) if value == value.to_integral_value() else str(value)


def _cadres(structure: dict) -> dict:
    """The template's words for cadres and political arrangements: `cadres` (厅、处、科级 together) and `ranked`
    [(厅级干部, n) …]; `npc` / `cppcc` (人大代表 / 政协委员 at any level) and `npc_levels` / `cppcc_levels`
    [(市级, n) …] — each for `listing`."""
    ranks = structure["by_cadre_rank"]
    ranked = [(f"{rank}干部", ranks.get(rank, 0)) for rank in vocab.CADRE_RANKS if rank != "无"]
    npc, cppcc = (structure["political_arrangements"][word] for word in ("人大代表", "政协委员"))
    return {"cadres": sum(n for _w, n in ranked), "ranked": ranked,
            "npc": npc["total"], "npc_levels": [(w, n) for w, n in npc.items() if w != "total"],
            "cppcc": cppcc["total"], "cppcc_levels": [(w, n) for w, n in cppcc.items() if w != "total"]}


def listing(rows, unit: str = "名") -> str:
    """[(word, n), …] → "党总支1个、党支部2个" (zeros left out)."""
    return "、".join(f"{word}{n}{unit}" for word, n in rows or () if n)


CN_DIGITS = "零一二三四五六七八九"


def cn(value) -> str:
    """0–99 in Chinese numerals (三个支社); larger numbers as digits."""
    n = int(value or 0)
    if n < 10:
        return CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
    return str(n)


def day_cn(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


FILTERS = {"share": share, "change": change, "num": num, "listing": listing, "cn": cn, "day_cn": day_cn}


def _engine() -> Engine:
    from django.template import Library

    library = Library()
    for name, func in FILTERS.items():
        library.filter(name, func)
    engine = Engine(autoescape=False, string_if_invalid="")
    engine.template_builtins.append(library)
    return engine


# --- the template of a profile -------------------------------------------------------------------------------

def template_path(profile: str) -> Path:
    """The profile's report template: the last of the profile folders that has reports/<profile>.txt (an
    installation's folder overrides the shipped one), else the shipped reports/default.txt."""
    found = [d / "reports" / f"{profile}.txt" for d in profile_dirs() if (d / "reports" / f"{profile}.txt").is_file()]
    if found:
        return found[-1]
    defaults = [d / "reports" / "default.txt" for d in profile_dirs() if (d / "reports" / "default.txt").is_file()]
    return defaults[-1]


BREAK = "\u2029"  # a paragraph separator: blank lines of the source (not lines a template left empty)


def render_text(path: Path, context: dict) -> tuple[str, list[str]]:
    """(title, paragraphs) from a template: paragraphs are separated by blank lines in the template, the lines
    of a paragraph joined (a line a tag leaves empty does not break it); a first paragraph starting with "# " is the title; a paragraph left empty (every sentence in it
    omitted) is dropped."""
    try:
        source = re.sub(r"\n[ \t]*\n\s*", f"\n{BREAK}\n", path.read_text(encoding="utf-8"))  # the writer's blank lines
        text = _engine().from_string(source).render(Context(context))
    except TemplateSyntaxError as exc:
        raise ImproperlyConfigured(f"报告模板 {path.name} 有误 / report template {path.name} is invalid: {exc}") from None
    paragraphs = []
    for block in text.split(BREAK):
        para = "".join(line.strip() for line in block.splitlines())
        para = re.sub(r"[，、；]+(?=[。；])", "", para)  # a clause left empty before the full stop
        para = re.sub(r"([，、；])[，、；]+", r"\1", para).lstrip("，、；。")
        para = re.sub(r"。{2,}", "。", para)
        if para:
            paragraphs.append(para)
    title = ""
    if paragraphs and paragraphs[0].startswith("#"):
        title = paragraphs.pop(0).lstrip("#").strip()
    return title, paragraphs


# --- the numbers -------------------------------------------------------------------------------------------------

def _members(doc: dict, rules) -> dict:
    m = doc["members"]
    total = m["total"]
    labels = {c.key: c.label for c in rules.categories}
    bands = m["by_age_band"]
    eth = m["by_ethnicity"]
    emp = m["by_employment"]
    decades = m["by_birth_decade"]
    return {
        "total": total,
        "category": {key: m["by_category"].get(label, 0) for key, label in labels.items()},
        "women": m["by_sex"].get("女", 0), "men": m["by_sex"].get("男", 0),
        "minority": sum(n for w, n in eth.items() if w not in ("汉族", UNKNOWN)),
        "young": bands.get(AGE_BANDS[0][0], 0) + bands.get(AGE_BANDS[1][0], 0),  # 35 and under
        "old": bands.get(AGE_BANDS[-1][0], 0),  # 61 and over
        "post80": decades.get("1980s", 0), "post90": decades.get("1990s", 0), "post00": decades.get("2000s", 0),
        "college": sum(m["by_education"].get(w, 0) for w in COLLEGE),
        "postgrad": m["by_education"].get("研究生", 0),
        "doctor": m["by_degree"].get("博士", 0), "master": m["by_degree"].get("硕士", 0),
        "senior_title": sum(m["by_title_level"].get(w, 0) for w in SENIOR),
        "in_service": emp.get("在职", 0), "retired": emp.get("离退休", 0),
        "joined_periods": [(w, n) for w, n in m["by_joined_period"].items() if w != UNKNOWN],
        "occupations": sorted(((w, n) for w, n in m["by_occupation"].items() if n and w != UNKNOWN),
                              key=lambda p: -p[1]),
    }


def _new(doc: dict) -> dict:
    nm = doc["new_members"]
    return {"count": nm["count"], "average_age": nm["average_age"] if nm["count"] else None,
            "young": nm["aged_35_or_under"], "women": nm["by_sex"].get("女", 0),
            "doctor": nm["by_degree"].get("博士", 0), "master": nm["by_degree"].get("硕士", 0),
            "postgrad": nm["by_education"].get("研究生", 0),
            "college": sum(nm["by_education"].get(w, 0) for w in COLLEGE)}


def _orgs(doc: dict, rules, own_kind: str | None) -> dict:
    """The organizations below (the organization itself and groups, which hold no members, left out)."""
    counted = {k.label for k in rules.kinds if k.holds_members}
    kinds = dict(doc["organizations"]["by_kind"])
    own = rules.kind_label(own_kind) if own_kind else None
    if own in kinds:
        kinds[own] -= 1
    rows = [(w, n) for w, n in kinds.items() if n and w in counted]
    return {"below": sum(n for _w, n in rows), "kinds": rows, "total": doc["organizations"]["total"]}


def _delta(now, before):
    return None if before is None else now - before


def context(user, org: Org, as_of: date | None = None) -> dict:
    """What the templates read: the document as of the day and as of the same day a year earlier."""
    day = as_of or today()
    rules = org.rules
    doc = document(user, org, day)
    before_day = add_years(day, -1)
    root, _lines = subtree_lines(org, day)
    root_before, _lines = subtree_lines(org, before_day)
    prev = document(user, org, before_day) if root_before else None
    m, nm, o = _members(doc, rules), _new(doc), _orgs(doc, rules, root.kind if root else org.kind)
    pm = _members(prev, rules) if prev else None
    pn = _new(prev) if prev else None
    po = _orgs(prev, rules, root_before.kind) if prev else None
    m["change"] = _delta(m["total"], pm and pm["total"])
    nm["change"] = _delta(nm["count"], pn and pn["count"])
    o["change"] = _delta(o["below"], po and po["below"])
    structure = doc.get("structure")
    if structure:
        structure = {**structure, "change_in_service": _delta(structure["in_service"],
                                                              prev and prev["structure"]["in_service"]),
                     **_cadres(structure)}
    c = doc["candidates"]
    labels = {cat.key: cat.label for cat in rules.categories if not cat.is_member}
    year_end = (day.month, day.day) == (12, 31)
    return {
        "org": {"name": doc["org"]["name"], "code": org.code, "kind": rules.kind_label(root.kind if root else org.kind)},
        "member_word": rules.word("member"), "org_word": rules.word("organization"),
        "day": day, "year": day.year, "as_of_text": f"{day.year}年底" if year_end else day_cn(day),
        "new_period_text": f"{day.year}年" if year_end else f"{day.year}年以来",
        "prev": prev is not None, "prev_day": before_day,
        "m": m, "pm": pm, "nm": nm, "pn": pn, "o": o, "structure": structure,
        "c": {"total": c["total"], "category": {k: c["by_category"].get(label, 0) for k, label in labels.items()},
              "rows": [(w, n) for w, n in c["by_category"].items() if n]},
        "doc": doc,
    }


# --- the report: text, tables, chart -----------------------------------------------------------------------------

TABLES = [("by_category", "人员类别"), ("by_age_band", "年龄"), ("by_education", "学历")]


def _table(counts: dict, whole: int) -> list[tuple[str, int, str]]:
    return [(word, n, share(n, whole) or "–") for word, n in counts.items()]


def report(user, org: Org, as_of: date | None = None) -> dict:
    """The report as data: title, paragraphs, the main tables (title, rows of word, count, share) and the
    chart (the age bands)."""
    ctx = context(user, org, as_of)
    path = template_path(org.profile)
    title, paragraphs = render_text(path, ctx)
    doc = ctx["doc"]
    total = doc["members"]["total"]
    tables = [(_(label), _table(doc["members"][key], total)) for key, label in TABLES if doc["members"][key]]
    bands = doc["members"]["by_age_band"]
    return {
        "org": doc["org"], "as_of": doc["as_of"],
        "title": title or _("%(org)s基本情况") % {"org": doc["org"]["name"]},
        "paragraphs": paragraphs, "tables": tables,
        "chart": {"title": _("%(m)s年龄结构") % {"m": ctx["member_word"]}, "categories": list(bands),
                  "series": [{"name": _("人数"), "data": list(bands.values())}]},
        "member_word": ctx["member_word"],
    }


def as_json(data: dict) -> dict:
    return {"org": data["org"], "as_of": data["as_of"], "title": data["title"], "paragraphs": data["paragraphs"],
            "tables": [{"title": t, "rows": [{"word": w, "count": n, "share": s} for w, n, s in rows]}
                       for t, rows in data["tables"]]}


CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


def _font(size: int):
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size), True
            except OSError:
                continue
    return ImageFont.load_default(), False


def chart_png(categories: list[str], values: list[int], width: int = 1200, height: int = 560) -> bytes:
    """A plain bar chart as PNG, drawn server-side: bars with their counts above; the categories under them
    when a CJK font is installed (else the bars are numbered 1, 2, … in the table's order)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, cjk = _font(24)
    left, right, top, bottom = 40, 20, 50, 80
    draw.line([(left, height - bottom), (width - right, height - bottom)], fill="black", width=2)
    n = max(1, len(values))
    slot = (width - left - right) / n
    peak = max(values or [0]) or 1
    for i, value in enumerate(values):
        x0 = left + i * slot + slot * 0.2
        x1 = left + (i + 1) * slot - slot * 0.2
        y0 = height - bottom - (height - top - bottom) * value / peak
        if value:
            draw.rectangle([x0, y0, x1, height - bottom], fill=(192, 0, 0))
        label = str(value)
        w = draw.textlength(label, font=font)
        draw.text(((x0 + x1) / 2 - w / 2, y0 - 32), label, fill="black", font=font)
        name = categories[i] if cjk else str(i + 1)
        w = draw.textlength(name, font=font)
        draw.text(((x0 + x1) / 2 - w / 2, height - bottom + 12), name, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _page_number(paragraph) -> None:
    """A PAGE field (Word fills in the number)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def docx_bytes(data: dict) -> bytes:
    """The report as .docx: A4, the title, the paragraphs, the tables as Word tables, the chart, page numbers."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from jiceng.core.dates import shown

    from jiceng.admission.dossier import _document  # the dossier's A4 page, fonts and styles

    doc = _document()
    doc.core_properties.title = data["title"]
    title = doc.add_paragraph(data["title"], style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(_("统计截止日：%(d)s（含下级组织）") % {"d": shown(date.fromisoformat(data["as_of"]))})
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in data["paragraphs"]:
        p = doc.add_paragraph(text)
        p.paragraph_format.first_line_indent = Mm(8)
    for caption, rows in data["tables"]:
        doc.add_heading(caption, level=2)
        table = doc.add_table(rows=1, cols=3, style="Table Grid")
        for cell, text in zip(table.rows[0].cells, [_("类别"), _("人数"), _("占比")]):
            cell.text = text
        for word, n, pct in rows:
            for cell, text in zip(table.add_row().cells, [word, str(n), pct]):
                cell.text = text
    chart = data["chart"]
    if any(chart["series"][0]["data"]):
        doc.add_heading(chart["title"], level=2)
        doc.add_picture(io.BytesIO(chart_png(chart["categories"], chart["series"][0]["data"])), width=Mm(150))
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
