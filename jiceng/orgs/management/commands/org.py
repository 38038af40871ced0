"""`jiceng org …`: the organization tree from the command line, through the same services and scope as the web."""
from jiceng.core import profiles, registry
from jiceng.core.cli import ScopedCommand, day, find_org, t
from jiceng.core.scoping import STRUCTURE
from jiceng.orgs import services
from jiceng.orgs.api import OrgSerializer
from jiceng.orgs.filtersets import OrgFilterSet
from jiceng.orgs.models import Org

DATE = "YYYY-MM-DD"
ON = "生效日期（默认今天）/ effective date (default today)"
NOTE = "说明 / note"


def kind_key(value: str, rules=None) -> str:
    """A kind given by key or by label (党支部 / branch), in one profile or in any."""
    for p in [rules] if rules else profiles.registry().values():
        k = p.kind_by_label(value.strip())
        if k:
            return k.key
    return value


class Command(ScopedCommand):
    help = ("组织：查看、列出、新建、更名、调整隶属、合并、撤销（按 --as 用户的权限）/ "
            "organizations: show, list, add, rename, move, merge, dissolve (with the --as user's roles)")
    subcommands = {
        "show": "查看组织 / show an organization",
        "list": "列出组织（可筛选）/ list organizations (filterable)",
        "add": "新建组织 / create an organization",
        "rename": "组织更名 / rename an organization",
        "move": "调整隶属关系 / move an organization under another parent",
        "merge": "合并组织：下级组织与成员并入目标，原组织撤销 / merge an organization into another",
        "dissolve": "撤销组织 / dissolve an organization",
    }
    label_sources = (Org, OrgFilterSet)

    # --- arguments ---------------------------------------------------------------------
    def args_show(self, p):
        p.add_argument("code", help="组织编码 / organization code")
        p.add_argument("--as-of", type=day, metavar=DATE, help="显示该日的状态 / the state on that day")

    def args_list(self, p):
        p.add_argument("--within", metavar="CODE", help="上级组织编码（含下级）/ within this organization's subtree")
        p.add_argument("--kind", help="组织类型（键或名称，如 branch 或 党支部）/ kind, key or label")
        p.add_argument("--q", help="名称或编码 / name or code")
        p.add_argument("--sort", help="排序列（tree、code、name，倒序如 --sort=-name）/ column to sort by; descending: --sort=-name")
        p.add_argument("--limit", type=int, default=200, help="最多列出条数（默认 200）/ at most this many rows")

    def args_add(self, p):
        p.add_argument("--code", required=True, help="组织编码 / code")
        p.add_argument("--name", required=True, help="组织名称 / name")
        p.add_argument("--kind", required=True, help="组织类型（键或名称，如 branch 或 党支部）/ kind, key or label")
        p.add_argument("--parent", metavar="CODE", help="上级组织编码；不填为根组织（仅超级管理员）/ parent code; none: a root (superuser only)")
        p.add_argument("--sector", default="", help="组织类别 / sector")
        p.add_argument("--profile", default="", help="所属体系，如 ccp；不填沿用上级 / profile; inherited from the parent")
        p.add_argument("--founded", type=day, metavar=DATE, help="成立日期 / founding date")
        p.add_argument("--note", default="", help=NOTE)

    def args_rename(self, p):
        p.add_argument("code", help="组织编码 / organization code")
        p.add_argument("--name", required=True, help="新名称 / new name")
        p.add_argument("--on", type=day, metavar=DATE, help=ON)
        p.add_argument("--note", default="", help=NOTE)

    def args_move(self, p):
        p.add_argument("code", help="组织编码 / organization code")
        p.add_argument("--parent", required=True, metavar="CODE", help="新的上级组织编码 / code of the new parent")
        p.add_argument("--on", type=day, metavar=DATE, help=ON)
        p.add_argument("--note", default="", help=NOTE)

    def args_merge(self, p):
        p.add_argument("code", help="被合并的组织编码 / organization to merge")
        p.add_argument("--into", required=True, metavar="CODE", help="并入的组织编码 / code of the organization to merge into")
        p.add_argument("--on", type=day, metavar=DATE, help=ON)
        p.add_argument("--note", default="", help=NOTE)

    def args_dissolve(self, p):
        p.add_argument("code", help="组织编码 / organization code")
        p.add_argument("--on", type=day, metavar=DATE, help="撤销日期（默认今天）/ date (default today)")
        p.add_argument("--note", default="", help=NOTE)

    # --- reading -------------------------------------------------------------------------
    def data(self, org) -> dict:
        return OrgSerializer(org, context={"request": self.request}).data

    def do_show(self, code, as_of, **_):
        org = find_org(self.user, code)
        if as_of:
            return self.show_as_of(org, as_of)
        rules = org.rules
        direct = services.member_counts([org.pk]).get(org.pk, {})
        subtree = registry.headcount().in_subtree(org.path)
        counts = [{"category": c.key, "label": c.label, "direct": direct.get(c.key, 0), "subtree": subtree.get(c.key, 0)}
                  for c in rules.categories]
        leaders = [{"post": h.post, "post_label": h.post_label, "member_id": h.member_id, "name": h.member.name, "start": h.start}
                   for h in services.leaders(org)]
        status = services.election_status([org]).get(org.pk)
        election = status and {"state": status["state"], "label": str(status["label"]), "due_on": status["due_on"],
                               "held_on": status["election"].held_on if status["election"] else None,
                               "term_years": status["term_years"]}
        warnings = services.warnings_for([org]).get(org.pk, [])
        data = {**self.data(org), "parent_name": org.parent.name if org.parent else None, "profile_name": rules.name,
                "leaders": leaders, "election": election, "warnings": warnings, "member_counts": counts}
        lines = [
            f"{org.name}（{org.code}）" + (f" — {t('已撤销', 'dissolved')} {org.dissolved_on}" if org.dissolved_on else ""),
            f"  {t('组织类型', 'Kind')}: {org.kind_label} ({org.kind}) · {rules.name} ({org.profile})" + (f" · {org.sector}" if org.sector else ""),
            f"  {t('上级组织', 'Parent')}: " + (f"{org.parent.name}（{org.parent.code}）" if org.parent else "—"),
            f"  {t('成立日期', 'Founded')}: {org.founded_on or '—'}",
            f"  {t('领导班子', 'Leaders')}: " + ("；".join(f"{l['post_label']} {l['name']}" for l in leaders) or "—"),
        ]
        if election:
            lines.append(f"  {t('换届', 'Election')}: {election['label']}" + (f"（{t('应于', 'due')} {election['due_on']}）" if election["due_on"] else ""))
        lines += [f"  {t('提醒', 'Warning')}: {w['message']}（{w['evidence']}；{w['source']}）" for w in warnings]
        lines.append(f"  {t('人员（本级 / 含下级）', 'Members (here / with subtree)')}: "
                     + "，".join(f"{c['label']} {c['direct']}/{c['subtree']}" for c in counts))
        self.emit(data, *lines)

    def show_as_of(self, org, as_of):
        root, lines = services.lines_as_of(org, as_of)
        if root is None:
            text = t(f"{org.name}（{org.code}）在 {as_of} 尚未成立或已撤销", f"{org.name} ({org.code}) did not exist on {as_of}")
            return self.emit({"code": org.code, "as_of": as_of, "exists": False}, text)
        lines = list(lines)
        totals: dict = {}
        for counts in services.member_counts_as_of([line.org_id for line in lines], as_of).values():
            for cat, n in counts.items():
                totals[cat] = totals.get(cat, 0) + n
        rules, parent = org.rules, root.parent
        children = [{"code": l.org.code, "name": l.name, "kind_label": rules.kind_label(l.kind)} for l in lines if l.parent_id == org.pk]
        counts = [{"category": c.key, "label": c.label, "subtree": totals.get(c.key, 0)} for c in rules.categories]
        data = {"code": org.code, "as_of": as_of, "exists": True, "name": root.name, "kind": root.kind,
                "kind_label": rules.kind_label(root.kind), "sector": root.sector, "since": root.start,
                "reason": root.get_reason_display(), "parent_code": parent.code if parent else None,
                "parent_name": parent.name if parent else None, "children": children, "subtree_orgs": len(lines),
                "member_counts": counts}
        self.emit(data,
                  f"{root.name}（{org.code}）— {t('截至', 'as of')} {as_of}",
                  f"  {t('组织类型', 'Kind')}: {data['kind_label']} · {t('自', 'since')} {root.start}（{data['reason']}）",
                  f"  {t('上级组织', 'Parent')}: " + (f"{parent.name}（{parent.code}）" if parent else "—"),
                  f"  {t('下级组织', 'Children')}: " + ("、".join(c["name"] for c in children) or "—"),
                  f"  {t('人员（含下级）', 'Members (with subtree)')}: " + "，".join(f"{c['label']} {c['subtree']}" for c in counts))

    def do_list(self, within, kind, q, limit, sort=None, **_):
        query = {"q": q or "", "kind": kind_key(kind) if kind else "", "sort": sort or ""}
        if within:
            query["within"] = find_org(self.user, within).code  # out of scope: "not found", not an empty list
        qs = self.filtered(OrgFilterSet, query).select_related("parent")  # in the tree's order unless --sort
        total, page = qs.count(), list(qs[:max(limit, 0)])
        self.emit({"count": total, "results": OrgSerializer(page, many=True, context={"request": self.request}).data},
                  *[f"{o.code}\t{o.name}\t{o.kind_label}" + (f"\t{t('已撤销', 'dissolved')} {o.dissolved_on}" if o.dissolved_on else "")
                    for o in page],
                  t(f"共 {total} 个组织", f"{total} organizations") + (t(f"（列出前 {len(page)} 个）", f" (first {len(page)} shown)") if total > len(page) else ""))

    # --- writing -------------------------------------------------------------------------
    def do_add(self, code, name, kind, parent, sector, profile, founded, note, **_):
        parent_org = find_org(self.user, parent, STRUCTURE) if parent else None
        rules = profiles.registry().get(profile or (parent_org.profile if parent_org else ""))
        values = dict(code=code, name=name, kind=kind_key(kind, rules) if rules else kind, sector=sector, profile=profile)
        self.precheck(Org, values)
        with self.writing():
            org = services.create_org(self.user, parent=parent_org, founded_on=founded, note=note, **values)
        self.emit(self.data(org), t(f"已新建组织 {org.name}（{org.code}，{org.kind_label}）", f"Created {org.name} ({org.code}, {org.kind_label})"))

    def do_rename(self, code, name, on, note, **_):
        org = find_org(self.user, code, STRUCTURE)
        old = org.name
        self.precheck(Org, {"name": name})
        with self.writing():
            services.update_org(self.user, org, on=on, note=note, name=name)
        since = org.lines.filter(end__isnull=True).values_list("start", flat=True).first()
        self.emit(self.data(org), t(f"已更名：{old} → {org.name}（自 {since} 起）", f"Renamed {old} → {org.name} (from {since})"))

    def do_move(self, code, parent, on, note, **_):
        org, new_parent = find_org(self.user, code, STRUCTURE), find_org(self.user, parent, STRUCTURE)
        with self.writing():
            services.move_org(self.user, org, new_parent, on=on, note=note)
        self.emit(self.data(org), t(f"已调整隶属关系：{org.name} 现隶属于 {new_parent.name}", f"Moved {org.name} under {new_parent.name}"))

    def do_merge(self, code, into, on, note, **_):
        org, target = find_org(self.user, code, STRUCTURE), find_org(self.user, into, STRUCTURE)
        with self.writing():  # one transaction: children moved, members transferred, then dissolved — or nothing
            services.merge_org(self.user, org, target, on=on, note=note)
        self.emit(self.data(org), t(f"已将 {org.name} 并入 {target.name}（{org.dissolved_on}）", f"Merged {org.name} into {target.name} ({org.dissolved_on})"))

    def do_dissolve(self, code, on, note, **_):
        org = find_org(self.user, code, STRUCTURE)
        with self.writing():
            services.dissolve_org(self.user, org, on=on, note=note)
        self.emit(self.data(org), t(f"已撤销 {org.name}（{org.dissolved_on}）", f"Dissolved {org.name} ({org.dissolved_on})"))
