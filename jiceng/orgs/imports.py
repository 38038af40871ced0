"""Organizations from a spreadsheet: parents may come before or after their children in the file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.core import profiles
from jiceng.core.imports import RowRefused, field_problems, problem
from jiceng.core.scoping import STRUCTURE
from jiceng.core.tabular import Column
from jiceng.core.vocab import SECTORS

from . import services
from .models import Org


def org_columns() -> tuple[Column, ...]:
    kinds = tuple(dict.fromkeys(k.label for p in profiles.registry().values() for k in p.kinds))
    return (
        Column("code", "组织编码", required=True, help=_("全系统唯一")),
        Column("name", "组织名称", required=True),
        Column("parent_code", "上级组织编码", help=_("空白表示根组织；上级可以在本文件中稍后出现")),
        Column("kind", "组织类型", required=True, kind="choice", choices=kinds, help=_("所属体系中的组织类型")),
        Column("sector", "组织类别", kind="choice", choices=tuple(SECTORS)),
        Column("profile", "所属体系", kind="choice", choices=tuple(profiles.registry()), help=_("空白则沿用上级组织")),
        Column("founded_on", "成立日期", kind="date"),
    )


@dataclass
class OrgPlan:
    row: int
    values: dict


class OrgImporter:
    kind = "orgs"

    def __init__(self, user):
        self.user = user
        self.columns = org_columns()
        self.headers = {c.key: c.header for c in self.columns}

    def check(self, rows, problems):
        """Rows are held until the file is read: a parent may appear after its child."""
        plans: dict[str, OrgPlan] = {}
        for row in rows:
            code = row.values["code"]
            if code in plans:
                problems.append(problem(row, self.headers["code"], code,
                                        _("组织编码与第 %(n)d 行重复") % {"n": plans[code].row}))
                continue
            plans[code] = OrgPlan(row.number, row.values)
        existing = {o.code: o for o in Org.objects.filter(code__in=list(plans))}
        in_scope = set(Org.objects.restrict(self.user, STRUCTURE).filter(code__in=list(plans)).values_list("code", flat=True))
        parents = {o.code: o for o in Org.objects.restrict(self.user, STRUCTURE).filter(
            code__in={p.values.get("parent_code") for p in plans.values()} - {None, ""})}
        ordered, placed = [], set()

        def place(code, trail=()):
            if code in placed or code not in plans:
                return
            if code in trail:
                problems.append(problem_at(plans[code], self.headers["parent_code"], plans[code].values.get("parent_code"),
                                           _("上级组织关系形成循环")))
                return
            parent = plans[code].values.get("parent_code")
            if parent in plans:
                place(parent, (*trail, code))
            placed.add(code)
            ordered.append(plans[code])

        for code in plans:
            place(code)
        resolved: dict[str, Org] = {}  # what each row will be, so children can be checked against it
        for plan in ordered:
            v = plan.values
            parent_code = v.get("parent_code")
            parent = resolved.get(parent_code) or parents.get(parent_code)
            profile_key = v.get("profile") or (parent.profile if parent else "")
            rules = profiles.registry().get(profile_key)
            kind = rules.kind_by_label(v["kind"]) if rules else None
            errors = {} if profile_key else {"profile": [_("根组织须指定所属体系")]}
            if rules and kind is None:
                errors["kind"] = [_("“%(k)s” 不是 %(p)s 的组织类型") % {"k": v["kind"], "p": rules.name}]
            elif rules and (parent or not parent_code):
                errors.update(services.placement_errors(kind=kind.key, parent=parent, profile=profile_key))
            if errors:
                problems.extend(field_problems(_row(plan), errors, self.headers, v))
            elif v["code"] in existing and v["code"] not in in_scope:
                problems.append(problem_at(plan, self.headers["code"], v["code"], _("该组织已存在，但不在您的管理范围内")))
            elif parent_code and parent_code not in plans and parent_code not in parents:
                problems.append(problem_at(plan, self.headers["parent_code"], parent_code,
                                           _("找不到编码为 %(c)s 的上级组织（或不在您的管理范围内）") % {"c": parent_code}))
            elif not parent_code and not getattr(self.user, "is_superuser", False) and v["code"] not in existing:
                problems.append(problem_at(plan, self.headers["parent_code"], "", _("只有超级管理员可以新建根组织")))
            else:
                resolved[v["code"]] = Org(code=v["code"], kind=kind.key, profile=profile_key)
                yield plan

    def write(self, plans, counts):
        for plan in plans:
            v = plan.values
            parent = Org.objects.filter(code=v["parent_code"]).first() if v.get("parent_code") else None
            profile_key = v.get("profile") or (parent.profile if parent else "")
            rules = profiles.registry().get(profile_key)
            kind = rules.kind_by_label(v["kind"]) if rules else None
            try:
                current = Org.objects.filter(code=v["code"]).first()
                if current is None:
                    services.create_org(code=v["code"], name=v["name"], kind=kind.key if kind else v["kind"],
                                        parent=parent, sector=v.get("sector") or "", profile=profile_key,
                                        founded_on=v.get("founded_on"))
                    counts["created"] += 1
                    continue
                changes = {k: x for k, x in (("name", v["name"]), ("kind", kind.key if kind else v["kind"]),
                                              ("sector", v.get("sector") or current.sector),
                                              ("founded_on", v.get("founded_on") or current.founded_on))
                           if getattr(current, k) != x}
                moved = parent is not None and parent.pk != current.parent_id
                if changes:
                    services.update_org(current, **changes)
                if moved:
                    services.move_org(current, parent)
                counts["updated" if changes or moved else "unchanged"] += 1
            except ValidationError as exc:
                raise RowRefused(plan.row, exc.message_dict, v) from None


def _row(plan: OrgPlan):
    from jiceng.core.tabular import Row

    return Row(number=plan.row, values=plan.values)


def problem_at(plan: OrgPlan, column: str, value, reason: str):
    from jiceng.core.tabular import Problem

    return Problem(row=plan.row, column=column, value="" if value is None else str(value), reason=reason)


def org_rows(orgs, user):
    for org in orgs.select_related("parent").order_by("path").iterator(chunk_size=2000):
        yield {"code": org.code, "name": org.name, "parent_code": org.parent.code if org.parent else "",
               "kind": org.kind_label, "sector": org.sector, "profile": org.profile, "founded_on": org.founded_on}


def org_example() -> dict:
    return {"code": "C001", "name": "某某党支部", "parent_code": "C", "kind": "党支部", "sector": "机关",
            "profile": "ccp", "founded_on": date(2001, 7, 1)}
