"""Organizations from a spreadsheet: parents may come before or after their children in the file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.core import bulk, profiles
from jiceng.core.imports import RowRefused, field_problems
from jiceng.core.models import ChangeRecord
from jiceng.core.scoping import STRUCTURE
from jiceng.core.tabular import Column
from jiceng.core.vocab import SECTORS

from . import services
from .models import Org, OrgLine


def org_columns() -> tuple[Column, ...]:
    kinds = tuple(dict.fromkeys(k.label for p in profiles.registry().values() for k in p.kinds))
    return (
        Column("code", "组织编码", required=True, help=_("全系统唯一")),
        Column("name", "组织名称", required=True),
        Column("parent_code", "上级组织编码", help=_("空白表示根组织；上级可以在本文件中稍后出现")),
        Column("kind", "组织类型", required=True, type="choice", choices=kinds, help=_("所属体系中的组织类型")),
        Column("sector", "组织类别", type="choice", choices=tuple(SECTORS)),
        Column("profile", "所属体系", type="choice", choices=tuple(profiles.registry()), help=_("空白则沿用上级组织")),
        Column("founded_on", "成立日期", type="date"),
    )


@dataclass
class OrgRow:
    row: int
    values: dict


@dataclass
class NewOrg:
    row: int
    planned: dict  # services.check_new_org's, with the parent's code


@dataclass
class OrgChange:
    row: int
    values: dict
    changes: dict  # field → new value, only where the file differs
    parent_code: str | None  # the new parent's code when the row moves the organization


class OrgImporter:
    sheet = "orgs"
    bulk_models = (Org, OrgLine, ChangeRecord)  # what services.write_new_orgs fills

    def __init__(self, user):
        self.user = user
        self.columns = org_columns()
        self.headers = {c.key: c.header for c in self.columns}
        self._written: dict[str, tuple[int, str]] = {}  # code → (id, path), across the chunks of one import

    def check(self, rows, problems):
        """Rows are held until the file is read: a parent may appear after its child. Every problem of every
        row is reported (a repeated code and an unknown parent on the same row are two problems)."""
        plans: dict[str, OrgRow] = {}
        repeated: list[tuple[OrgRow, int]] = []
        for row in rows:
            code = row.values["code"]
            if code in plans:
                repeated.append((OrgRow(row.number, row.values), plans[code].row))
                continue
            plans[code] = OrgRow(row.number, row.values)
        scoped = Org.objects.restrict(self.user, STRUCTURE)
        existing = {o.code: o for o in bulk.filter_in(Org.objects.all(), "code", plans)}
        in_scope = set(bulk.filter_in(scoped.values_list("code", flat=True), "code", existing))
        named = {p.values.get("parent_code") for p in [*plans.values(), *(r for r, _n in repeated)]}
        parents = {o.code: o for o in bulk.filter_in(scoped, "code", named - {None, ""} - plans.keys())}
        resolved: dict[str, Org] = {}  # what each row will be, so children can be checked against it
        for plan in _parents_first(plans, problems, self.headers["parent_code"]):
            found, outcome = self._check_row(plan, resolved, parents, existing.get(plan.values["code"]), in_scope)
            problems.extend(found)
            if outcome is not None and not found:
                yield outcome
        for plan, first in repeated:  # a repeated row is never written, but all its problems are told
            problems.append(problem_at(plan, self.headers["code"], plan.values["code"],
                                       _("组织编码与第 %(n)d 行重复") % {"n": first}))
            found, _outcome = self._check_row(plan, {}, {**parents, **resolved}, None, in_scope)
            problems.extend(found)

    def _check_row(self, plan: OrgRow, resolved: dict, parents: dict, current: Org | None, in_scope: set):
        """(every problem of the row, what to write when there is none); a new organization joins `resolved`."""
        v, found = plan.values, []
        parent_code = v.get("parent_code") or ""
        parent = resolved.get(parent_code) or parents.get(parent_code)
        profile_key = v.get("profile") or (parent.profile if parent else "")
        rules = profiles.registry().get(profile_key)
        kind = rules.kind_by_label(v["kind"]) if rules else None
        errors: dict = {} if profile_key or parent_code else {"profile": [_("根组织须指定所属体系")]}
        if profile_key and rules is None:
            errors["profile"] = [_("未知的组织体系 “%(p)s”") % {"p": profile_key}]
        if rules and kind is None:
            errors["kind"] = [_("“%(k)s” 不是 %(p)s 的组织类型") % {"k": v["kind"], "p": rules.name}]
        if current is not None and v["code"] not in in_scope:
            found.append(problem_at(plan, self.headers["code"], v["code"], _("该组织已存在，但不在您的管理范围内")))
        if parent_code and parent is None:
            found.append(problem_at(plan, self.headers["parent_code"], parent_code,
                                    _("找不到编码为 %(c)s 的上级组织（或不在您的管理范围内）") % {"c": parent_code}))
        outcome = None
        if kind is not None and (parent or not parent_code):
            if current is None:
                planned, new_errors = services.check_new_org(
                    self.user, code=v["code"], name=v["name"], kind=kind.key, parent=parent, sector=v.get("sector") or "",
                    profile=profile_key, founded_on=v.get("founded_on"))
                for field, msgs in new_errors.items():
                    errors.setdefault(field, []).extend(m for m in msgs if m not in errors.get(field, []))
                if planned:
                    outcome = NewOrg(plan.row, {**planned, "parent_code": parent_code})
            else:
                errors.update(services.placement_errors(kind=kind.key, parent=parent, profile=profile_key))
                changes = {k: x for k, x in (("name", v["name"]), ("kind", kind.key),
                                              ("sector", v.get("sector") or current.sector),
                                              ("founded_on", v.get("founded_on") or current.founded_on))
                           if getattr(current, k) != x}
                moved = parent is not None and parent.pk != current.parent_id
                outcome = OrgChange(plan.row, v, changes, parent_code if moved else None)
        found.extend(field_problems(_row(plan), errors, self.headers, v))
        if found:
            return found, None
        if isinstance(outcome, NewOrg):
            resolved[v["code"]] = Org(code=v["code"], name=v["name"], kind=kind.key, profile=profile_key,
                                      founded_on=v.get("founded_on"), depth=parent.depth + 1 if parent else 0)
        elif outcome is not None:
            moved = outcome.parent_code is not None
            resolved[v["code"]] = Org(pk=current.pk, code=v["code"], name=v["name"], kind=kind.key,
                                      profile=current.profile,
                                      founded_on=outcome.changes.get("founded_on", current.founded_on),
                                      depth=parent.depth + 1 if moved else current.depth)
        return found, outcome

    def write(self, plans, counts):
        new = [p.planned for p in plans if isinstance(p, NewOrg)]
        if new:
            services.write_new_orgs(new, self._written)
            counts["created"] += len(new)
        for change in (p for p in plans if isinstance(p, OrgChange)):
            if not (change.changes or change.parent_code):
                counts["unchanged"] += 1
                continue
            bulk.restore_indexes()  # the services below read through them
            current = Org.objects.get(code=change.values["code"])
            try:
                if change.changes:
                    services.update_org(self.user, current, **change.changes)
                if change.parent_code:
                    services.move_org(self.user, current, Org.objects.get(code=change.parent_code))
                    self._written.clear()  # paths under the moved organization changed
            except ValidationError as exc:
                raise RowRefused(change.row, exc.message_dict, change.values) from None
            counts["updated"] += 1


def _parents_first(plans: dict[str, OrgRow], problems, column: str) -> list[OrgRow]:
    """The rows in file order, but each after its parent when the parent is a row too (iteratively: a
    chain may be as long as the file); the rows of a cycle of parents are reported and left out."""
    ordered, placed = [], set()
    for code in plans:
        trail = []
        while code in plans and code not in placed and code not in trail:
            trail.append(code)
            code = plans[code].values.get("parent_code")
        if code in trail:  # a cycle: reported, and its rows never placed (rows under it find no parent)
            cycle = trail[trail.index(code):]
            problems.extend(problem_at(plans[c], column, plans[c].values.get("parent_code"), _("上级组织关系形成循环"))
                            for c in cycle)
            placed.update(cycle)
            trail = trail[:trail.index(code)]
        for c in reversed(trail):
            placed.add(c)
            ordered.append(plans[c])
    return ordered


def _row(plan: OrgRow):
    from jiceng.core.tabular import Row

    return Row(number=plan.row, values=plan.values)


def problem_at(plan: OrgRow, column: str, value, reason: str):
    from jiceng.core.tabular import Problem

    return Problem(row=plan.row, column=column, value="" if value is None else str(value), reason=reason)


def org_rows(orgs, user):
    for org in orgs.select_related("parent").order_by("path").iterator(chunk_size=2000):
        yield {"code": org.code, "name": org.name, "parent_code": org.parent.code if org.parent else "",
               "kind": org.kind_label, "sector": org.sector, "profile": org.profile, "founded_on": org.founded_on}


def org_example() -> dict:
    return {"code": "C001", "name": "某某党支部", "parent_code": "C", "kind": "党支部", "sector": "机关",
            "profile": "ccp", "founded_on": date(2001, 7, 1)}
