"""Every change to the tree goes through here, from the UI, the API, the CLI and jobs alike.

Each change is a dated event: it closes the organization's open OrgLine and
opens the next, so the tree as it stood on any day can be rebuilt.
"""
from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Max, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from jiceng.core import bulk, pinyin, profiles, registry
from jiceng.core.dates import not_future, raise_if, shown, today
from jiceng.core.models import ChangeRecord, ChangeRows
from jiceng.core.scoping import CHANGE, STRUCTURE
from jiceng.core.services import is_system_or_superuser, service
from jiceng.core.paths import MAX_DEPTH, SEGMENT, segment, within

from .models import Election, Org, OrgLine, PostHolding


def placement_errors(*, kind: str, parent: Org | None, profile: str) -> dict:
    errors: dict = {}
    if profile not in profiles.registry():
        errors["profile"] = [_("未知的组织体系 “%(p)s”") % {"p": profile}]
        return errors
    rules = profiles.get(profile)
    k = rules.kind(kind)
    if k is None:
        known = "、".join(x.label for x in rules.kinds)
        errors["kind"] = [_("“%(k)s” 不是 %(p)s 的组织类型（可选：%(known)s）") % {"k": kind, "p": rules.name, "known": known}]
        return errors
    if parent is not None and parent.depth >= MAX_DEPTH:
        errors["parent"] = [_("组织层级最多 %(n)d 级，%(p)s 之下不能再设下级组织") % {"n": MAX_DEPTH + 1, "p": parent.name}]
    elif parent is None:
        if None not in k.may_sit_under:
            errors["parent"] = [_("%(k)s 必须有上级组织") % {"k": k.label}]
    else:
        if not parent.active:
            errors["parent"] = [_("上级组织 %(p)s 已撤销") % {"p": parent.name}]
        elif parent.profile != profile:
            errors["parent"] = [_("上级组织 %(p)s 属于 %(pp)s，下级组织须属于同一组织体系") % {"p": parent.name, "pp": parent.rules.name}]
        elif parent.kind not in k.may_sit_under:
            errors["parent"] = [
                _("%(k)s 不能设在 %(pk)s 之下（%(cite)s）")
                % {"k": k.label, "pk": parent.kind_label, "cite": profiles.reference(rules.cite("kinds", kind, "may_sit_under"))}
            ]
    return errors


def _event_day(on: date | None, field: str, errors: dict, since: date | None = None) -> date:
    day = on or today()
    not_future(field, day, errors)
    if since and day < since:
        errors.setdefault(field, []).append(_("生效日期不能早于 %(d)s（上一次变更）") % {"d": shown(since)})
    return day


def _open_line(org: Org) -> OrgLine | None:
    return org.lines.filter(end__isnull=True).first()


def _next_line(org: Org, day: date, reason: str, note: str = "") -> None:
    """Close the open line on `day` and open one with the organization's current values."""
    line = _open_line(org)
    values = dict(name=org.name, kind=org.kind, sector=org.sector, parent_id=org.parent_id, path=org.path)
    if line and line.start == day:  # a second change the same day corrects that day's line
        for k, v in values.items():
            setattr(line, k, v)
        line.reason, line.note = reason, note or line.note
        line.save()
        return
    if line:
        line.end = day
        line.save()
    OrgLine.objects.create(org=org, start=day, reason=reason, note=note, **values)


def may_create_root(user) -> bool:
    """A new root organization (no parent) is a superuser's decision."""
    return is_system_or_superuser(user)


def check_new_org(user, *, code: str, name: str, kind: str, parent: Org | None = None, sector: str = "", profile: str = "",
             founded_on: date | None = None) -> tuple[dict | None, dict]:
    """Every rule a new organization must pass but its code's uniqueness, without touching the database:
    an import checks a whole file with it, parents that are only rows of the same file included.
    `user` creates it: a new root (no parent) is a superuser's decision (the page, API, CLI and import alike)."""
    code, name = code.strip(), name.strip()
    profile = profile or (parent.profile if parent else "")
    errors: dict = {}
    if not code:
        errors["code"] = [_("组织编码不能为空")]
    if not name:
        errors["name"] = [_("组织名称不能为空")]
    if parent is None and not may_create_root(user):
        errors["parent"] = [_("须指定上级组织：只有超级管理员可以新建根组织")]
    elif not profile:
        errors["profile"] = [_("根组织须指定所属体系")]
    else:
        errors.update(placement_errors(kind=kind, parent=parent, profile=profile))
    day = _event_day(founded_on, "founded_on", errors)
    if founded_on and parent and parent.founded_on and founded_on < parent.founded_on:
        errors.setdefault("founded_on", []).append(
            _("成立日期不能早于上级组织 %(p)s 的成立日期 %(d)s") % {"p": parent.name, "d": shown(parent.founded_on)})
    if errors:
        return None, errors
    return dict(code=code, name=name, kind=kind, sector=sector, profile=profile, founded_on=founded_on, day=day), {}


@service(STRUCTURE, on="parent")
def create_org(user, *, code: str, name: str, kind: str, parent: Org | None = None, sector: str = "", profile: str = "",
               founded_on: date | None = None, note: str = "") -> Org:
    plan, errors = check_new_org(user, code=code, name=name, kind=kind, parent=parent, sector=sector, profile=profile,
                            founded_on=founded_on)
    if code.strip() and Org.objects.filter(code=code.strip()).exists():
        errors.setdefault("code", []).append(_("组织编码 %(c)s 已存在") % {"c": code.strip()})
    raise_if(errors)
    day = plan.pop("day")
    org = Org(parent=parent, path="", **plan)
    org.save()
    _next_line(org, day, "founded", note)
    return org


def write_new_orgs(plans: list[dict], known: dict[str, tuple[int, str]]) -> list[int]:
    """Write validated new organizations (check_new_org's, each with its `parent_code`; parents before children)
    in bulk: the rows, their founding lines and the change records create_org leaves, as plain rows
    (core.bulk). `known`: code → (id, path) of organizations already written, looked up and extended here."""
    ids, line_ids = bulk.reserve_ids(Org, len(plans)), bulk.reserve_ids(OrgLine, len(plans))
    wanted = {p["parent_code"] for p in plans} - known.keys() - {""}
    known.update((c, (pk, path)) for c, pk, path in
                 bulk.filter_in(Org.objects.values_list("code", "pk", "path"), "code", wanted))
    orgs, lines = [], []
    for pk, line_pk, p in zip(ids, line_ids, plans):
        parent_id, parent_path = known[p["parent_code"]] if p["parent_code"] else (None, "")
        path = parent_path + segment(pk)
        known[p["code"]] = (pk, path)
        orgs.append({"id": pk, "code": p["code"], "name": p["name"], "name_pinyin": pinyin.sort_key(p["name"], person=False),
                     "kind": p["kind"], "sector": p["sector"],
                     "profile": p["profile"], "parent_id": parent_id, "path": path, "depth": len(path) // SEGMENT - 1,
                     "founded_on": p["founded_on"], "dissolved_on": None})
        lines.append({"id": line_pk, "org_id": pk, "start": p["day"], "end": None, "name": p["name"], "kind": p["kind"],
                      "sector": p["sector"], "parent_id": parent_id, "path": path, "reason": "founded", "note": ""})
    for model, rows in ((Org, orgs), (OrgLine, lines)):
        names = tuple(rows[0]) if rows else ()
        bulk.insert_rows(model, names, (tuple(r.values()) for r in rows))
        log = ChangeRows(model)  # the records a save of each row would leave (core.models)
        ChangeRecord.write_rows(ChangeRecord.CREATE, [log.row(r["id"], r["name"], r["path"], None, log.state(r))
                                                      for r in rows])
    return ids


@service(STRUCTURE, on="org")
def update_org(user, org: Org, *, on: date | None = None, note: str = "", **values) -> Org:
    """Rename, re-kind, re-sector or re-code an organization, dated `on`."""
    errors: dict = {}
    line = _open_line(org)
    day = _event_day(on, "on", errors, since=line.start if line else None)
    if values.get("founded_on") and values["founded_on"] != org.founded_on:
        founded = values["founded_on"]
        not_future("founded_on", founded, errors)
        if org.parent and org.parent.founded_on and founded < org.parent.founded_on:
            errors.setdefault("founded_on", []).append(
                _("成立日期不能早于上级组织 %(p)s 的成立日期 %(d)s") % {"p": org.parent.name, "d": shown(org.parent.founded_on)})
    code = values.get("code", org.code).strip()
    if code != org.code and Org.objects.filter(code=code).exclude(pk=org.pk).exists():
        errors["code"] = [_("组织编码 %(c)s 已存在") % {"c": code}]
    if "kind" in values and values["kind"] != org.kind:
        errors.update(placement_errors(kind=values["kind"], parent=org.parent, profile=org.profile))
        bad_children = [c.name for c in org.children.filter(dissolved_on__isnull=True)
                        if values["kind"] not in (org.rules.kind(c.kind).may_sit_under if org.rules.kind(c.kind) else [])]
        if bad_children:
            errors.setdefault("kind", []).append(_("下级组织 %(c)s 不能设在新类型之下") % {"c": "、".join(bad_children[:5])})
    raise_if(errors)
    renamed = "name" in values and values["name"].strip() != org.name
    for field in ("code", "name", "kind", "sector", "founded_on"):
        if field in values:
            setattr(org, field, values[field].strip() if isinstance(values[field], str) else values[field])
    org.save()
    _next_line(org, day, "renamed" if renamed else "changed", note)
    return org


def _repath(old: str, new: str) -> dict[str, int]:
    """Give the subtree under `old` the prefix `new`, in the tree and in every registered copy of its
    paths (core.registry): one UPDATE per table, no tree walk. Returns how many rows of each kind moved."""
    from jiceng.core.registry import path_copies

    delta = (len(new) - len(old)) // SEGMENT
    Org.objects.filter(within("path", old)).update(path=Concat(Value(new), Substr("path", len(old) + 1)),
                                                   depth=F("depth") + delta)
    moved = {}
    for copy in path_copies:
        column = copy.path_field
        moved[str(copy.model._meta.verbose_name_plural)] = copy.model.objects.filter(within(column, old)).update(
            **{column: Concat(Value(new), Substr(column, len(old) + 1))})
    return moved


def _hand_over(org: Org, into: Org) -> None:
    """The rows a registered path copy declares to follow a merge go on under the surviving organization:
    one UPDATE per model, with a change record for each row."""
    from jiceng.core.registry import path_copies

    into.path = Org.objects.values_list("path", flat=True).get(pk=into.pk)
    for copy in path_copies:
        if copy.follow_merge is None or copy.org_field is None:
            continue
        rows = copy.model.objects.filter(**{copy.org_field: org}, **copy.follow_merge)
        column = f"{copy.org_field}_id"
        changes = [(row, {column: org.pk}, {column: into.pk}) for row in rows]
        rows.update(**{copy.org_field: into, copy.path_field: into.path})
        ChangeRecord.record_many(ChangeRecord.UPDATE, changes, path=into.path)


@service(STRUCTURE, on=("org", "new_parent"))
def move_org(user, org: Org, new_parent: Org, *, on: date | None = None, note: str = "") -> Org:
    errors: dict = {}
    for node in (org, new_parent):  # paths change under other moves: never trust a copy in memory
        node.path = Org.objects.values_list("path", flat=True).get(pk=node.pk)
    line = _open_line(org)
    day = _event_day(on, "on", errors, since=line.start if line else None)
    if new_parent.path.startswith(org.path):
        errors["parent"] = [_("不能把组织调整到它自己或它的下级组织之下（会形成循环）")]
    elif new_parent.pk == org.parent_id:
        errors["parent"] = [_("新的上级组织与原上级组织相同")]
    else:
        errors.update(placement_errors(kind=org.kind, parent=new_parent, profile=org.profile))
        height = Org.objects.filter(within("path", org.path)).aggregate(h=Max("depth"))["h"] - org.depth
        if not errors and len(new_parent.path) // SEGMENT + height > MAX_DEPTH:
            errors["parent"] = [_("调整后组织层级将超过 %(n)d 级") % {"n": MAX_DEPTH + 1}]
    raise_if(errors)
    old_path = org.path
    new_path = new_parent.path + segment(org.pk)
    moved = _repath(old_path, new_path)
    org.refresh_from_db(fields=["path", "depth"])
    org.parent = new_parent
    org.save()
    # the log says what moved along with the subtree (the scope of each record followed it)
    ChangeRecord.record(org, ChangeRecord.UPDATE, None, {"moved_with": {k: n for k, n in moved.items() if n}})
    _next_line(org, day, "moved", note)
    for child in Org.objects.filter(within("path", new_path), dissolved_on__isnull=True).exclude(pk=org.pk):
        _next_line(child, day, "ancestor_moved", note)
    return org


@service(STRUCTURE, on="org")
def dissolve_org(user, org: Org, *, on: date | None = None, note: str = "", reason: str = "dissolved") -> Org:
    errors: dict = {}
    line = _open_line(org)
    day = _event_day(on, "on", errors, since=line.start if line else None)
    children = org.children.filter(dissolved_on__isnull=True).count()
    members = sum(registry.headcount().by_org([org.pk]).get(org.pk, {}).values())  # those on the books
    if not org.active:
        errors["on"] = [_("该组织已于 %(d)s 撤销") % {"d": shown(org.dissolved_on)}]
    elif children or members:
        errors["on"] = [_("该组织还有 %(c)d 个下级组织和 %(m)d 名成员，请先调整隶属或转出组织关系") % {"c": children, "m": members}]
    raise_if(errors)
    org.dissolved_on = day
    org.save()
    if line:
        line.end = day
        line.note = note or str(dict(OrgLine.REASONS)[reason])
        line.save()
    return org


@service(STRUCTURE, on=("org", "into"))
def merge_org(user, org: Org, into: Org, *, on: date | None = None, note: str = "") -> Org:
    """Merge `org` into `into`: its children move under `into`, what the apps keep goes over (`registry.merge_steps`:
    the members transfer), and it is dissolved."""
    errors: dict = {}
    if into.path.startswith(org.path):
        errors["into"] = [_("不能合并到自己或自己的下级组织")]
    elif into.profile != org.profile:
        errors["into"] = [_("只能合并到同一组织体系的组织")]
    elif not into.active:
        errors["into"] = [_("目标组织已撤销")]
    raise_if(errors)
    note = note or _("并入 %(o)s") % {"o": into.name}
    for child in org.children.filter(dissolved_on__isnull=True):
        move_org(user, child, into, on=on, note=note)
    for step in registry.merge_steps:
        step(user, org, into, on=on, note=note)
    _hand_over(org, into)
    return dissolve_org(user, org, on=on, note=note, reason="merged")


# --- reading the tree as of a date -------------------------------------------------

def lines_as_of(org: Org, day: date):
    """The subtree of `org` as it stood at the end of `day` (None if it did not exist then)."""
    root = org.lines.as_of(day).first()
    if root is None:
        return None, OrgLine.objects.none()
    return root, OrgLine.objects.as_of(day).filter(within("path", root.path)).select_related("org")


def member_counts_as_of(org_ids, day: date) -> dict[int, dict[str, int]]:
    """{org_id: {category: n}} as the dated lines stood at the end of `day` (from the app that keeps people)."""
    return registry.headcount().by_org_as_of(org_ids, day)


# --- judgments derived from the records -------------------------------------------

def member_counts(org_ids) -> dict[int, dict[str, int]]:
    return registry.headcount().by_org(org_ids)


def post_counts(org_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    rows = PostHolding.objects.current().filter(org_id__in=org_ids).values("org_id", "post").annotate(n=Count("id"))
    for row in rows:
        out.setdefault(row["org_id"], {})[row["post"]] = row["n"]
    return out


_OPS = {">": int.__gt__, ">=": int.__ge__, "<": int.__lt__, "<=": int.__le__, "==": int.__eq__}


def triggered(rules: profiles.Profile, kind: str, members: dict[str, int], posts: dict[str, int]) -> list[dict]:
    """The profile's threshold warnings that hold for one organization, with their evidence."""
    found = []
    for rule in rules.warnings:
        if kind not in rule.kinds:
            continue
        evidence = []
        for cond in rule.when:
            if cond.count == "members":
                n, words = sum(members.get(k, 0) for k in cond.categories), [rules.category_label(k) for k in cond.categories]
            else:
                n, words = sum(posts.get(k, 0) for k in cond.posts), [rules.post_label(kind, k) for k in cond.posts]
            evidence.append((cond, n, "、".join(words)))
        if all(_OPS[c.op](n, c.value) for c, n, _w in evidence):
            found.append({
                "key": rule.key,
                "message": profiles.pick(rule.message),
                "evidence": "；".join(f"{words} {n} {c.op} {c.value}" for c, n, words in evidence),
                "cite": rules.cite("warnings", rule.key, rule.source),
                "source": profiles.reference(rules.cite("warnings", rule.key, rule.source)),
            })
    return found


def warnings_for(orgs, members: dict | None = None, posts: dict | None = None) -> dict[int, list[dict]]:
    """The threshold warnings per organization; `members` and `posts` (by_org's and post_counts' answers) when
    the caller has read them already (the organization page shows them too)."""
    orgs = [o for o in orgs if o.active]
    ids = [o.pk for o in orgs]
    members = member_counts(ids) if members is None else members
    posts = post_counts(ids) if posts is None else posts
    out = {}
    for org in orgs:
        found = triggered(org.rules, org.kind, members.get(org.pk, {}), posts.get(org.pk, {}))
        if found:
            out[org.pk] = found
    return out


def ancestors_as_of(line: OrgLine, day: date) -> list[OrgLine]:
    """The lines of the organizations above `line` as they stood at the end of `day`, the root first: the
    parent then, by the name it bore then (the breadcrumb of a page seen as of a past date)."""
    chain, parent_id, seen = [], line.parent_id, set()
    while parent_id and parent_id not in seen:
        seen.add(parent_id)
        above = OrgLine.objects.as_of(day).filter(org_id=parent_id).select_related("org").first()
        if above is None:
            break
        chain.append(above)
        parent_id = above.parent_id
    return chain[::-1]


def leaders(org: Org, day: date | None = None) -> list[PostHolding]:
    """Post holders — today's, or those in office at the end of `day` — in the profile's order of posts
    (书记 before 委员)."""
    order = [p.key for p in org.rules.posts_for(org.kind)]
    holdings = (org.post_holdings.as_of(day) if day else org.post_holdings.current()).select_related("member")
    return sorted(holdings, key=lambda h: (order.index(h.post) if h.post in order else len(order), h.start))


def vacancies(org: Org, held: dict[str, int] | None = None) -> list[str]:
    """The required posts nobody holds; `held` (post → holders) when the caller has read it already."""
    held = post_counts([org.pk]).get(org.pk, {}) if held is None else held
    return [p.label for p in org.rules.posts_for(org.kind) if p.required and not held.get(p.key)]


def election_status(orgs, day: date | None = None) -> dict[int, dict]:
    """Last election, due date and state (overdue / due soon / ok / none recorded) per organization."""
    day = day or today()
    orgs = [o for o in orgs if o.holds_members]  # groups are not elected bodies
    last: dict[int, Election] = {}
    for e in Election.objects.filter(org__in=orgs).select_related("org").order_by("org_id", "held_on"):
        last[e.org_id] = e
    out = {}
    for org in orgs:
        e = last.get(org.pk)
        years = org.rules.term_years(org.kind, org.sector)
        if e is None:
            out[org.pk] = {"state": "none", "label": _("未记录换届"), "election": None, "due_on": None, "term_years": years}
            continue
        due = e.due_on()
        soon = (due - day).days <= org.rules.terms.due_soon_days
        state = "overdue" if due < day else "due_soon" if soon else "ok"
        label = {"overdue": _("已逾期"), "due_soon": _("即将到期"), "ok": _("正常")}[state]
        out[org.pk] = {"state": state, "label": label, "election": e, "due_on": due, "term_years": years}
    return out


@service(CHANGE, on="org")
def record_election(user, org: Org, *, held_on: date, postponed_to: date | None = None, note: str = "") -> Election:
    errors: dict = {}
    not_future("held_on", held_on, errors)
    e = Election(org=org, held_on=held_on, postponed_to=postponed_to, note=note)
    if postponed_to:
        e.postponed_to = None
        limit = e.due_on()
        years = org.rules.terms.max_postponement_years
        limit = limit.replace(year=limit.year + years) if not (limit.month == 2 and limit.day == 29) else limit.replace(year=limit.year + years, day=28)
        if postponed_to > limit:
            errors["postponed_to"] = [_("延期换届最多 %(y)d 年（不晚于 %(d)s，%(cite)s）") % {"y": years, "d": shown(limit), "cite": profiles.reference(org.rules.cite("terms", "max_postponement_years"))}]
        e.postponed_to = postponed_to
    raise_if(errors)
    e.save()
    return e


def post_pool(org: Org):
    """The people a post of `org` may name: those belonging to it or below (a group's people belong to its
    branch: those of the branch), and those taking part in its life (ParticipationLine). The post form offers
    these (in the user's scope) and assign_post accepts no one else; only the full members are eligible."""
    people = PostHolding.member.field.related_model  # the app that keeps people, not imported here
    home = org if org.holds_members or org.parent is None else org.parent
    taking_part = org.participation_lines.current().values("member_id")
    return people.objects.filter(within("org_path", home.path) | Q(pk__in=taking_part))


def post_eligible(org: Org) -> Q:
    """Who may hold a post: a full member (the profile's full categories)."""
    return Q(category__in=[c.key for c in org.rules.categories if c.full])


@service(CHANGE, on=("org", "member"))
def assign_post(user, org: Org, member, post: str, *, on: date | None = None) -> PostHolding:
    errors: dict = {}
    day = on or today()
    not_future("start", day, errors)
    spec = next((p for p in org.rules.posts_for(org.kind) if p.key == post), None)
    if spec is None:
        errors["post"] = [_("%(k)s 没有 “%(p)s” 这一职务") % {"k": org.kind_label, "p": post}]
    elif spec.max is not None:
        held = PostHolding.objects.current().filter(org=org, post=post).count()
        if held >= spec.max:
            errors["post"] = [_("%(p)s 最多 %(n)d 人，已满") % {"p": spec.label, "n": spec.max}]
    if PostHolding.objects.current().filter(org=org, post=post, member=member).exists():
        errors["member"] = [_("%(m)s 已担任该职务") % {"m": member.name}]
    elif not post_pool(org).filter(pk=member.pk).exists():
        errors["member"] = [_("%(m)s 不在 %(o)s 或其下级组织，也未在此参加组织生活") % {"m": member.name, "o": org.name}]
    elif not org.rules.category(member.category) or not org.rules.category(member.category).full:
        errors["member"] = [_("%(m)s 是%(c)s，只有%(f)s可以担任职务（%(cite)s）") % {
            "m": member.name, "c": member.category_label,
            "f": "、".join(c.label for c in org.rules.categories if c.full), "cite": profiles.reference(org.rules.cite("categories", "full"))}]
    raise_if(errors)
    return PostHolding.objects.create(org=org, member=member, post=post, start=day)


@service(CHANGE, on="holding")
def end_post(user, holding: PostHolding, *, on: date | None = None) -> PostHolding:
    """The person leaves the post (免职) on `on`."""
    return holding.close(on)
