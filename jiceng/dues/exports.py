"""The ledger of a subtree and period as a spreadsheet (.xlsx or .csv), through the core export mechanism:
the file layer of `core.tabular` and the log of personal data leaving the system (`core.exports`, subject
`dues_ledger`)."""
from __future__ import annotations

from typing import BinaryIO

from django.utils.translation import gettext as _

from jiceng.core.exports import log_personal_data
from jiceng.core.tabular import Column, write_table

from . import services


def ledger_columns() -> tuple[Column, ...]:
    return (
        Column("org", "所在组织"), Column("org_code", "组织编码"), Column("member_id", "人员编号"), Column("name", "姓名"),
        Column("due", "应交（元）"), Column("paid", "实交（元）"), Column("arrears", "欠交月份"), Column("owed", "欠交（元）"),
        Column("voluntary", "自愿多交（元）"), Column("reductions", "减免"),
    )


def ledger_rows(doc: dict):
    for r in doc["rows"]:
        m = r["member"]
        cuts = "；".join(
            f"{x.get_kind_display()} {services.ym(x.first)}–{services.ym(x.last)}"
            + (f" {x.amount}" if x.amount is not None else "") + ("" if x.approved else _("（待批准）"))
            for x in r["reductions"])
        yield {"org": m.org.name, "org_code": m.org.code, "member_id": str(m.pk), "name": m.name, "due": str(r["due"]),
               "paid": str(r["paid"]), "arrears": " ".join(services.ym(x) for x in r["arrears"]), "owed": str(r["owed"]),
               "voluntary": str(r["voluntary"]), "reductions": cuts}
    rate = "" if doc["rate"] is None else f"{doc['rate'] * 100:.2f}%"
    yield {"org": _("合计"), "org_code": doc["org"].code, "name": _("收缴率 %(r)s") % {"r": rate}, "due": str(doc["due"]),
           "paid": str(doc["paid"]), "arrears": _("欠交 %(n)d 人") % {"n": doc["in_arrears"]},
           "voluntary": str(doc["voluntary"]),
           "reductions": _("全额上缴 %(a)s 元") % {"a": doc["handed_up"]} if doc["large"] else ""}


def export_ledger(user, org, first, last, out: BinaryIO, fmt: str = "xlsx") -> int:
    """Write the ledger of `org`'s subtree for first–last as `user` may read it; logged. Returns the rows."""
    doc = services.ledger(user, org, first, last)
    write_table(out, ledger_columns(), ledger_rows(doc), fmt)
    log_personal_data(user, "dues_ledger", fmt=fmt, rows=len(doc["rows"]),
                      what={"org": org.code, "from": services.ym(doc["first"]), "to": services.ym(doc["last"])})
    return len(doc["rows"])


def filename(org, first, last, fmt: str = "xlsx") -> str:
    title = _("%(dues)s收缴表") % {"dues": org.rules.word("dues")}  # 会费收缴表 for a 民进 subtree
    return f"{title}-{org.code}-{services.ym(first)}-{services.ym(last)}.{fmt}"
