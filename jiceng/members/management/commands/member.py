"""`jiceng member …`: the member archive from the command line, through the same services and scope as the web."""
from jiceng.core import idnumber, profiles
from jiceng.core.cli import FIELD_LABELS, INVALID, NOT_FOUND, Failed, ScopedCommand, day, find_org, label, t
from jiceng.core.scoping import CHANGE, VIEW
from jiceng.members import services
from jiceng.members.api import MemberSerializer
from jiceng.members.filtersets import MemberFilterSet
from jiceng.members import history as dated
from jiceng.members.models import Exit, Member

DATE = "YYYY-MM-DD"
ON = "生效日期（默认今天）/ effective date (default today)"
PERSON = (*services.PERSON_FIELDS, "id_number")
DATES = ("birth_date",)


def category_key(value: str, rules=None) -> str:
    """A category given by key or by label (正式党员 / full), in one profile or in any."""
    for p in [rules] if rules else profiles.registry().values():
        key = services.category_key(p, value)
        if key != value or p.category(key):
            return key
    return value


def person_arguments(p, *, name_required=False):
    for field in PERSON:
        p.add_argument("--" + field.replace("_", "-"), required=name_required and field == "name",
                       type=day if field in DATES else str, metavar=DATE if field in DATES else None,
                       help=f"{label(field, Member, FIELD_LABELS)} / {field}")


class Command(ScopedCommand):
    help = ("成员：列出、查看、新增、修改、转接组织关系、变更人员类别、开通账号（按 --as 用户的权限）/ "
            "members: list, show, add, set, transfer, change category, open an account (with the --as user's roles)")
    subcommands = {
        "list": "列出成员（可筛选）/ list members (filterable)",
        "show": "查看成员及其历史 / show a member with their dated history",
        "add": "新增成员 / add a member",
        "set": "修改成员信息 / change a member's own fields",
        "transfer": "转接组织关系 / transfer a member to another organization",
        "category": "更正人员类别（组织管理员）/ correct a member's category (organization administrator)",
        "account": "为成员开通账号，显示初始密码（组织管理员）/ open a login for a member; prints its initial password",
        "exit": "登记离开（去世、退党、除名等）或以 --cancel 撤销误录 / record that a member left, or undo it with --cancel",
    }
    label_sources = (Member, MemberFilterSet)

    # --- arguments ---------------------------------------------------------------------
    def args_list(self, p):
        p.add_argument("--org", metavar="CODE", help="组织编码（含下级）/ organization code, with its subtree")
        p.add_argument("--category", action="append", help="人员类别（键或名称，可重复）/ category, key or label (repeatable)")
        p.add_argument("--q", help="姓名、手机号或完整身份证号 / name, phone or the whole ID number")
        p.add_argument("--sort", help="排序列（name、birth_date、org …，倒序如 --sort=-name）/ column to sort by; descending: --sort=-name")
        p.add_argument("--limit", type=int, default=200, help="最多列出条数（默认 200）/ at most this many rows")
        p.add_argument("--status", choices=("current", "exited", "all"), help="在册（默认）、已离开或全部 / on the books "
                                                                              "(default), left, or all")

    def args_show(self, p):
        p.add_argument("id", type=int, help="成员编号 / member id")
        p.add_argument("--as-of", type=day, metavar=DATE, help="显示该日的状态 / the state on that day")

    def args_add(self, p):
        p.add_argument("--org", required=True, metavar="CODE", help="所在组织编码 / organization code")
        p.add_argument("--category", required=True, help="人员类别（键或名称）/ category, key or label")
        person_arguments(p, name_required=True)
        for field, text in (("since", "现类别起始日期 / start of the category"), ("applied_on", "申请日期 / applied on"),
                            ("joined_on", "入党(会/社)日期 / joined on"), ("confirmed_on", "转正日期 / confirmed on"),
                            ("belonging_since", "组织关系起始日期 / belonging since")):
            p.add_argument("--" + field.replace("_", "-"), type=day, metavar=DATE, help=text)

    def args_set(self, p):
        p.add_argument("id", type=int, help="成员编号 / member id")
        person_arguments(p)
        p.add_argument("--effective", type=day, metavar=DATE, help="人员状态、学历、学位、职称、职业类别、干部级别、人大代表、政协委员变动的生效日期（默认今天）/ "
                                                                   "the day a changed dated field holds from (default today)")
        p.add_argument("--correction", action="store_true", help="更正录入错误：改写当前记录，不另起历史 / correct a wrong value "
                                                                 "instead of recording a change")

    def args_exit(self, p):
        p.add_argument("id", type=int, help="成员编号 / member id")
        p.add_argument("--kind", help="离开方式（键或名称：去世、退党、除名 …）/ how the member left, key or word")
        p.add_argument("--on", type=day, metavar=DATE, help="离开日期 / the day")
        p.add_argument("--evidence", default="", help="依据：作出决定的会议或文件（除名、开除等必填）/ evidence: the "
                                                         "deciding meeting or document (required for removal, expulsion …)")
        p.add_argument("--cancel", action="store_true", help="撤销误录的离开记录 / undo an exit entered by mistake")

    def args_transfer(self, p):
        p.add_argument("id", type=int, help="成员编号 / member id")
        p.add_argument("--org", required=True, metavar="CODE", help="转入组织编码 / code of the new organization")
        p.add_argument("--on", type=day, metavar=DATE, help=ON)
        p.add_argument("--note", default="", help="说明 / note")

    def args_category(self, p):
        p.add_argument("id", type=int, help="成员编号 / member id")
        p.add_argument("--category", required=True, help="正确的人员类别（键或名称）/ the right category, key or label")
        p.add_argument("--on", type=day, metavar=DATE, help=ON)
        p.add_argument("--reason", required=True, help="更正原因（组织管理员；发展程序之外的类别更正）/ why the category is corrected")

    # --- helpers -------------------------------------------------------------------------
    def find(self, pk, action=VIEW) -> Member:
        member = Member.objects.filter(pk=pk).restrict(self.user, action).select_related("org").first()
        if member is None:
            raise Failed(t(f"找不到编号为 {pk} 的成员（或不在您的管理范围内）", f"No member {pk} was found (or it is outside your scope)."),
                         returncode=NOT_FOUND)
        return member

    def data(self, member) -> dict:
        return MemberSerializer(member, context={"request": self.request}).data

    def person(self, options, rules) -> dict:
        """The person fields given, checked as the forms check them (choices, lengths, occupations)."""
        values = {f: options[f] for f in PERSON if options.get(f) is not None}
        extra = {}
        if values.get("occupation") and rules.occupations and values["occupation"] not in rules.occupations:
            extra["occupation"] = [Member._meta.get_field("sex").error_messages["invalid_choice"] % {"value": values["occupation"]}]
        self.precheck(Member, {k: v for k, v in values.items() if k != "id_number"}, extra)
        return values

    def line(self, m, number: str | None = None) -> str:
        """One member on a line; the ID number masked as in every list unless `number` (a logged reveal) is given."""
        number = number if number is not None else idnumber.mask(m.id_number) if m.id_number else ""
        return f"{m.pk}\t{m.name}\t{m.sex or '—'}\t{number or '—'}\t{m.org.code} {m.org.name}\t{m.category_label}"

    # --- reading -------------------------------------------------------------------------
    def do_list(self, org, category, q, limit, sort=None, status=None, **_):
        query = {"q": q or "", "category": [category_key(c) for c in category or []], "sort": sort or "",
                 "status": status or ""}
        if org:
            query["org_code"] = find_org(self.user, org).code  # out of scope: "not found", not an empty list
        qs = self.filtered(MemberFilterSet, query).select_related("org")
        total, page = qs.count(), list(qs[:max(limit, 0)])
        self.emit({"count": total, "results": MemberSerializer(page, many=True, context={"request": self.request}).data},
                  *[self.line(m) for m in page],
                  t(f"共 {total} 名成员", f"{total} members") + (t(f"（列出前 {len(page)} 名）", f" (first {len(page)} shown)") if total > len(page) else ""))

    def do_show(self, id, as_of, **_):
        m = self.find(id)
        rules = m.rules
        history = {
            "categories": [{"category": l.category, "label": rules.category_label(l.category), "start": l.start, "end": l.end,
                            "note": l.note} for l in m.category_lines.all()],
            "belonging": [{"org_code": l.org.code, "org_name": l.org.name, "start": l.start, "end": l.end, "note": l.note}
                          for l in m.belonging_lines.select_related("org")],
            "participation": [{"org_code": l.org.code, "org_name": l.org.name, "start": l.start, "end": l.end, "note": l.note,
                               "mobile": l.mobile}
                              for l in m.participation_lines.select_related("org")],
            "posts": [{"org_code": h.org.code, "post": h.post, "post_label": h.post_label, "start": h.start, "end": h.end}
                      for h in m.post_holdings.select_related("org")],
            "attributes": {f: [{"value": l.value, "start": l.start, "end": l.end, "note": l.note} for l in lines]
                           for f, lines in dated.lines_of(m).items()},
        }
        exit = Exit.objects.filter(member=m).first()
        if exit:
            history["exit"] = {"kind": exit.kind, "kind_label": exit.kind_label, "on": exit.on, "evidence": exit.evidence}
        data = {**self.data(m), "history": history}
        span = lambda l: f"{l['start']} – {l['end'] or t('至今', 'now')}"  # noqa: E731
        lines = [self.line(m, data.get("id_number") or ""), f"  {t('人员类别', 'Category')}:"] + [f"    {span(l)}  {l['label']}" for l in history["categories"]]
        lines += [f"  {t('组织关系', 'Belonging')}:"] + [f"    {span(l)}  {l['org_name']}（{l['org_code']}）" for l in history["belonging"]]
        lines += [f"  {t('参加组织生活', 'Also takes part in')}: {span(l)}  {l['org_name']}" for l in history["participation"]]
        lines += [f"  {t('职务', 'Post')}: {span(h)}  {h['post_label']}（{h['org_code']}）" for h in history["posts"]]
        for field, items in history["attributes"].items():
            lines += [f"  {label(field, Member, FIELD_LABELS)}: {span(l)}  {l['value']}" for l in items]
        if exit:
            lines.append(f"  {t('离开', 'Left')}: {exit.on}  {exit.kind_label}" + (f"（{exit.evidence}）" if exit.evidence else ""))
        if as_of:
            state = services.state_as_of(m, as_of)
            org = state["org"]
            data["as_of"] = {"date": as_of, "category_label": state["category"],
                             "org_code": org.code if org else None, "org_name": org.name if org else None,
                             "participation": [{"code": o.code, "name": o.name} for o in state["participation"]],
                             "posts": [{"org_code": h.org.code, "post": h.post, "post_label": h.post_label} for h in state["posts"]],
                             "attributes": dict(m.attribute_lines.as_of(as_of).values_list("field", "value"))}
            lines.append(f"  {t('截至', 'As of')} {as_of}: {state['category'] or '—'} · " + (f"{org.name}（{org.code}）" if org else "—"))
        self.emit(data, *lines)

    # --- writing -------------------------------------------------------------------------
    def do_add(self, org, category, **options):
        target = find_org(self.user, org, CHANGE)
        person = self.person(options, target.rules)
        dates = {f: options[f] for f in ("since", "applied_on", "joined_on", "confirmed_on", "belonging_since")}
        with self.writing():
            m = services.create_member(self.user, org=target, category=category_key(category, target.rules),
                                       id_number=person.pop("id_number", ""), **dates, **person)
        self.emit(self.data(m), t(f"已新增成员 {m.name}（编号 {m.pk}，{m.category_label}，{target.name}）",
                                  f"Added {m.name} (id {m.pk}, {m.category_label}, {target.name})"))

    def do_set(self, id, **options):
        m = self.find(id, CHANGE)
        person = self.person(options, m.rules)
        if not person:
            raise Failed(t("没有要修改的字段（例如 --phone 13800000000）", "Nothing to change: give a field, e.g. --phone 13800000000"),
                         returncode=INVALID)
        with self.writing():
            services.update_member(self.user, m, id_number=person.pop("id_number", None), effective=options.get("effective"),
                                   correction=options.get("correction") or False, **person)
        changed = ", ".join(f.replace("_", "-") for f in (*person, *(["id-number"] if options.get("id_number") is not None else [])))
        self.emit(self.data(m), t(f"已修改成员 {m.name}（编号 {m.pk}）：{changed}", f"Updated {m.name} (id {m.pk}): {changed}"))

    def do_transfer(self, id, org, on, note, **_):
        m = self.find(id, CHANGE)
        target, old = find_org(self.user, org, CHANGE), m.org
        with self.writing():
            services.transfer(self.user, m, target, on=on, note=note)
        self.emit(self.data(m), t(f"已转接组织关系：{m.name} 从 {old.name} 转入 {target.name}", f"Transferred {m.name} from {old.name} to {target.name}"))

    def args_account(self, p):
        p.add_argument("id", type=int, help="成员编号 / member id")
        p.add_argument("--username", help="用户名（默认：姓名拼音首字母加出生年）/ username (default: initials and birth year)")

    def do_account(self, id, username, **_):
        m = self.find(id, CHANGE)
        with self.writing():
            account, password = services.open_account(self.user, m, username=username or services.suggested_username(m))
        self.emit({"username": account.username, "password": password},
                  t(f"已为 {m.name} 开通账号 {account.username}，初始密码：{password}",
                    f"Opened {account.username} for {m.name}; initial password: {password}"))

    def do_category(self, id, category, on, reason, **_):
        m = self.find(id, CHANGE)
        old = m.category_label
        with self.writing():
            services.correct_category(self.user, m, category_key(category, m.rules), on=on, reason=reason)
        self.emit(self.data(m), t(f"已更正人员类别：{m.name} {old} → {m.category_label}", f"Corrected the category of {m.name}: {old} → {m.category_label}"))

    def do_exit(self, id, kind, on, evidence, cancel, **_):
        m = self.find(id, CHANGE)
        if cancel:
            with self.writing():
                services.cancel_exit(self.user, m)
            self.emit(self.data(m), t(f"已撤销 {m.name} 的离开记录", f"Cancelled the exit of {m.name}"))
            return
        if not kind or not on:
            raise Failed(t("请给出 --kind 和 --on（或 --cancel 撤销）", "Give --kind and --on (or --cancel to undo)"),
                         returncode=INVALID)
        with self.writing():
            record = services.record_exit(self.user, m, kind=kind, on=on, evidence=evidence)
        self.emit({**self.data(m), "exit": {"kind": record.kind, "kind_label": record.kind_label, "on": record.on,
                                            "evidence": record.evidence}},
                  t(f"已登记：{m.name} 于 {record.on} {record.kind_label}", f"Recorded: {m.name} left on {record.on} ({record.kind_label})"))
