"""`jiceng demo`: the organizations of seed_orgs.yaml and synthetic people, built through the
services (create_org, create_member, assign_post …) like any other write, as one logged batch.

Every count and breakdown in the YAML is honoured exactly and all dates lie before the root's
`as_of`, so the seeds' figures come out of the statistics "as of" that date; elections and posts
are dated relative to today so that the dashboards show every state.
"""
from __future__ import annotations

import random
import time
from datetime import date, timedelta
from pathlib import Path

import yaml
from django.db import connection, transaction
from django.db.models import ProtectedError
from faker import Faker

from jiceng.core import registry, rollups
from jiceng.core.context import acting
from jiceng.core.dates import today
from jiceng.core.models import ChangeBatch
from jiceng.core.paths import within
from jiceng.core.profiles import age_on
from jiceng.core.services import SYSTEM
from jiceng.members import services as members
from jiceng.members.models import Member
from jiceng.orgs import services as orgs
from jiceng.orgs.models import Org, OrgLine

from . import accounts, admission, check
from .people import People, add_years, work_sector

SEED_FILE = Path(__file__).with_name("seed_orgs.yaml")
CITIES = ("天津", "九江", "海宁", "嘉兴")
UPPER = "中上层"
SENIORITY = ["正高级", "副高级", "中级", "初级", "无"]
DAY = timedelta(days=1)


class DemoError(Exception):
    pass


def cppcc_level(body: str) -> str:
    """The level of a CPPCC committee by its name (全国政协, 江西省政协, 九江市政协, 浔阳区政协 …)."""
    if body.startswith("全国"):
        return "全国"
    return next((level for suffix, level in (("省政协", "省级"), ("市政协", "市级"), ("区政协", "县级"), ("县政协", "县级"))
                 if body.endswith(suffix)), "县级")


def expand(breakdown: dict | None) -> list:
    return [key for key, n in (breakdown or {}).items() for _ in range(n)]


def load() -> list[dict]:
    return yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))["organizations"]


def build(*, seed: int = 2026, force: bool = False) -> dict:
    """Build the demo in one transaction; with `force`, wipe organizations and members first."""
    started = time.monotonic()
    spec = load()
    with transaction.atomic():
        if Org.objects.exists() and not force:
            raise DemoError("已有组织数据，未生成演示数据；加 --force 将清除全部组织与成员后重建。\n"
                            "Organizations already exist: the demo was not built. --force wipes all organizations and members and rebuilds.")
        batch = ChangeBatch.objects.create(kind="demo", description=f"演示数据 / demo data (seed {seed})")
        with acting(channel="cli", batch_id=batch.pk):
            wiped = wipe() if force else {}
            builder = Builder(seed)
            with rollups.deferred():  # the roll-ups rebuilt once the people are in, not at each of them
                for root in spec:
                    builder.org(root, None, root)
                builder.instructors()
                builder.arrangements()
                builder.promotions()
                builder.leadership()
            accounts.create()
        with connection.cursor() as cursor:  # fresh statistics for the planner before the checks read it all
            cursor.execute("ANALYZE")
        problems = check.verify(spec)
        if problems:
            raise DemoError("演示数据与 seed_orgs.yaml 不符 / the demo does not match seed_orgs.yaml:\n" + "\n".join(problems))
        # applicants come after the check: they are today's work, beyond the seeds' figures
        with acting(channel="cli", batch_id=batch.pk):
            with rollups.deferred():
                applicants = admission.build(builder.rng, builder.people)
            # what the other apps add (core.registry.demo_steps): meetings, trainings …
            added = {step.name: step.build(builder.rng) for step in registry.demo_step_list()}
        batch.details = {"seed": seed, "wiped": wiped, "roots": summary(spec), "applicants": applicants, **added}
        batch.details["seconds"] = round(time.monotonic() - started, 1)
        batch.save()
    return batch.details


def wipe() -> dict:
    """Delete every organization and member (their dated lines, posts, elections and grants go with them)
    and the demo accounts. The change log keeps its records: it is append-only."""
    counts = {"orgs": Org.objects.count(), "members": Member.objects.count()}
    accounts.demo_users().delete()
    delete_with_dependents(Member.objects.all())
    OrgLine.objects.all().delete()
    for depth in Org.objects.order_by("-depth").values_list("depth", flat=True).distinct():
        delete_with_dependents(Org.objects.filter(depth=depth))  # children first: parent is a protected key
    return counts


def delete_with_dependents(qs) -> None:
    """Delete `qs`, first deleting whatever other apps keep that protects its rows (applications, meetings,
    courses …): the demo knows no app beyond the archive, the database says what depends on what."""
    while True:
        try:
            qs.delete()
            return
        except ProtectedError as exc:
            by_model: dict = {}
            for obj in exc.protected_objects:
                by_model.setdefault(type(obj), []).append(obj.pk)
            for model, pks in by_model.items():
                delete_with_dependents(model._base_manager.filter(pk__in=pks))


def summary(spec: list[dict]) -> list[dict]:
    rows = []
    for node in spec:
        root, as_of = Org.objects.get(code=node["code"]), node["as_of"]
        _line, lines = orgs.lines_as_of(root, as_of)
        then = orgs.member_counts_as_of(list(lines.values_list("org_id", flat=True)), as_of)
        rows.append({
            "code": root.code, "name": root.name, "word": root.rules.word("member"),
            "orgs": Org.objects.filter(within("path", root.path)).count(),
            "people": Member.objects.filter(within("org_path", root.path)).count(),
            "as_of": as_of.isoformat(),
            "members_as_of": sum(n for c in then.values() for k, n in c.items() if root.rules.category(k).is_member),
        })
    return rows


def fixed_dates(node: dict) -> list[date]:
    """The founding dates the YAML gives anywhere below `node`."""
    out = []
    for child in node.get("children", []):
        out += ([child["founded_on"]] if child.get("founded_on") else []) + fixed_dates(child)
    return out


class Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.people = People(self.rng, fake)
        self.orgs: dict[str, Org] = {}
        self.specs: dict[str, dict] = {}
        self.roots: dict[str, dict] = {}
        self.members: dict[str, list[Member]] = {}  # org code -> the members created on it
        self.participants: dict[str, list[Member]] = {}  # org code -> members taking part without belonging
        self.since: dict[int, date] = {}  # member pk -> start of belonging (a post starts no earlier)
        self.joiners: dict[int, list] = {}  # year -> (age, degree) planned for that year's new members

    # --- organizations -----------------------------------------------------------------
    def org(self, node: dict, parent: Org | None, root: dict) -> None:
        founded = node.get("founded_on") or self.founding(node, parent, root)
        org = orgs.create_org(SYSTEM, code=node["code"], name=node["name"], kind=node["kind"], parent=parent,
                              sector=node.get("sector", ""), profile=node.get("profile", ""), founded_on=founded)
        self.orgs[org.code], self.specs[org.code], self.roots[org.code] = org, node, root
        year = self.plan_new_members(node)
        if "members" in node:
            self.add_members(org, node["members"], root["as_of"])
        for child in node.get("children", []):
            self.org(child, org, root)
        self.joiners.pop(year, None)

    def founding(self, node: dict, parent: Org | None, root: dict) -> date:
        """Invented: a root in the 1980s, a child up to 8 years after its parent; always a year
        before `as_of` and never after a founding date the YAML gives further down."""
        latest = min([root["as_of"] - timedelta(days=365), *fixed_dates(node)])
        if parent is None:
            return self.people.day(date(1980, 1, 1), min(date(1989, 12, 31), latest))
        first = parent.founded_on
        return self.people.day(first, max(first, min(add_years(first, 8), latest)))

    def plan_new_members(self, node: dict) -> int | None:
        """A fact like {year: 2014, count: 15, average_age: 35, degree: {硕士: 3}} fixes the ages on
        joining and the degrees of that year's new members in the subtree."""
        new = (node.get("facts") or {}).get("new_members") or {}
        if not ("average_age" in new or "degree" in new):
            return None
        n, r = new["count"], self.rng
        ages = [r.randint(26, 45) for _ in range(n)]
        target = round(new.get("average_age", sum(ages) / n) * n)
        while sum(ages) != target:
            i, step = r.randrange(n), 1 if sum(ages) < target else -1
            if 25 <= ages[i] + step <= 50:
                ages[i] += step
        degrees = expand(new.get("degree"))
        degrees += ["学士"] * (n - len(degrees))
        r.shuffle(degrees)
        self.joiners[new["year"]] = list(zip(ages, degrees))
        return new["year"]

    def city(self, org: Org) -> str:
        for o in [org, *reversed(org.ancestors())]:
            for city in CITIES:
                if city in o.name:
                    return city
        return CITIES[0]

    # --- members -------------------------------------------------------------------------
    def plan(self, org: Org, spec: dict) -> list[dict]:
        """One dict per person, dealing out every breakdown of the YAML block exactly."""
        r, rules, n = self.rng, org.rules, spec["count"]

        def deal(slots, field, breakdown, where, order=None):
            values = expand(breakdown) if isinstance(breakdown, dict) else breakdown
            if len(values) != len(slots):
                raise DemoError(f"{org.code} {where}: {len(values)} ≠ {len(slots)}")
            if order is None:
                r.shuffle(values)
            for s, v in zip(order or slots, values):
                s[field] = v

        def shuffled(xs):
            xs = list(xs)
            r.shuffle(xs)
            return xs

        slots = [{} for _ in range(n)]
        working = round(n * 0.8)  # invented split when the seed gives none
        deal(slots, "employment", spec.get("employment") or {"在职": working, "离退休": n - working}, "employment")
        work = [s for s in slots if s["employment"] == "在职"]
        rest = [s for s in slots if s["employment"] != "在职"]
        if "born_1980s" in spec:
            for s in slots:
                s["in_1980s"] = False
            for s in r.sample(work, spec["born_1980s"]):
                s["in_1980s"] = True
        block = spec.get("in_service") or {}
        if block and block["count"] != len(work):
            raise DemoError(f"{org.code} in_service.count {block['count']} ≠ 在职 {len(work)}")
        for field in ("education", "title_level", "occupation", "degree"):
            if field in block:
                deal(work, field, block[field], f"in_service.{field}")
            if field in spec:
                deal(slots, field, spec[field], field)
        if "title_level" in block:  # the senior titles go to the older colleagues
            titles = sorted((s["title_level"] for s in work), key=SENIORITY.index)
            deal(work, "title_level", titles, "in_service.title_level",
                 order=sorted(shuffled(work), key=lambda s: s.get("in_1980s", False)))
        # categories: the pipeline stages go to people in service
        full = next(c for c in rules.categories if c.full)
        cats = []
        for label, k in (spec.get("category") or {full.label: n}).items():
            cat = rules.category_by_label(label)
            if cat is None:
                raise DemoError(f"{org.code} category: “{label}” is not a {rules.name} category")
            cats += [cat.key] * k
        deal(slots, "category", sorted(cats, key=lambda c: rules.category(c).full), "category",
             order=shuffled(work) + shuffled(rest))
        women = set(r.sample(range(n), spec["women"])) if "women" in spec else {i for i in range(n) if r.random() < 0.45}
        for i, s in enumerate(slots):
            s["female"] = i in women
        free = iter(shuffled(work) + shuffled(rest))
        for year, k in (spec.get("joined_since") or {}).items():
            for _ in range(k):
                next(free)["join_year"] = int(year)
        if "cadre_rank" in spec:  # ranked cadres are in service
            deal(slots, "cadre_rank", sorted(expand(spec["cadre_rank"]), key=lambda v: v == "无"), "cadre_rank",
                 order=shuffled(work) + shuffled(rest))
        if "stratum" in spec:  # cadres are 中上层
            ranked = [s for s in slots if s.get("cadre_rank", "无") != "无"]
            others = shuffled(s for s in slots if s.get("cadre_rank", "无") == "无")
            deal(slots, "stratum", sorted(expand(spec["stratum"]), key=lambda v: v != UPPER), "stratum", order=ranked + others)
        return slots

    def add_members(self, org: Org, spec: dict, as_of: date) -> None:
        city = self.city(org)
        join_before = date(min([int(y) for y in spec.get("joined_since", {})] + [as_of.year]), 1, 1)
        made = self.members.setdefault(org.code, [])
        for slot in self.plan(org, spec):
            made.append(self.person(org, slot, as_of, city, join_before))

    def person(self, org: Org, s: dict, as_of: date, city: str, join_before: date) -> Member:
        p, rules = self.people, org.rules
        retired, female = s["employment"] == "离退休", s["female"]
        joined, degree = None, s.get("degree", "")
        if "join_year" in s:  # a new member of that year
            year = s["join_year"]
            joined = p.day(max(date(year, 1, 1), org.founded_on), min(date(year, 12, 31), as_of - DAY))
            age = None
            if self.joiners.get(year):
                age, degree = self.joiners[year].pop()
            born = p.birth(joined, age or 26, age or 45, s.get("in_1980s"))
        else:
            if retired:
                lo, hi = (55 if female else 60), 85
            elif not rules.category(s["category"]).full:  # applicants … probationary members
                lo, hi = 21, 40
            else:  # in service then, and not past retirement today
                lo, hi = 25, min(57, 64 - (today().year - as_of.year))
            born = p.birth(as_of, lo, hi, s.get("in_1980s"))
        first_category, dates, later = p.admission(rules, s["category"], born, as_of, joined, join_before)
        belonging = max(min(dates.values()), org.founded_on)
        if retired and org.sector == "社区":  # retirees' relationship moved to the community on retiring
            belonging = max(belonging, min(add_years(born, 55 if female else 60), as_of - DAY))
        sector = work_sector(org.name, org.sector)
        employer, post, occupation, kind = p.job(org.name, sector, city, retired, s.get("cadre_rank"), rules.occupations,
                                                 age_on(born, as_of))
        education, degree = p.education(kind, sector, s.get("education", ""), degree)
        member = members.create_member(SYSTEM,
            org=org, category=first_category, belonging_since=belonging, **dates,
            name=p.name(female), sex="女" if female else "男", ethnicity=p.ethnicity(), birth_date=born,
            id_number=p.id_number(city, born, female), phone=p.phone(), education=education, degree=degree,
            title_level=s.get("title_level") or p.title(kind, s.get("stratum"), age_on(born, as_of)),
            employer=employer, post=post, employment=s["employment"], occupation=s.get("occupation") or occupation,
            cadre_rank=s.get("cadre_rank", ""))
        for category, day in later:
            members.change_category(SYSTEM, member, category, on=day)
        self.since[member.pk] = belonging
        return member

    def instructors(self) -> None:
        """Party-building instructors (seed 001): in-service full members of other branches nearby,
        dispatched by the body above the building committee; they keep their belonging and take
        part in a joint branch (add_participation)."""
        taken: set[int] = set()
        for code, node in self.specs.items():
            n = (node.get("facts") or {}).get("instructors")
            if not n or "members" in node or node.get("children"):
                continue
            org = self.orgs[code]
            for ancestor in reversed(org.ancestors()[:-1]):  # nearest first, outside the building itself
                pool = [m for c, ms in self.members.items() for m in ms
                        if self.orgs[c].path.startswith(ancestor.path) and not self.orgs[c].path.startswith(org.parent.path)
                        and m.employment == "在职" and m.rules.category(m.category).full and m.pk not in taken]
                if len(pool) >= n:
                    break
            chosen = self.rng.sample(pool, n)
            dispatcher = org.parent.parent.name.removeprefix("中共")
            for m in chosen:
                taken.add(m.pk)
                members.add_participation(SYSTEM, m, org, on=max(org.founded_on, self.since[m.pk]), note="党建工作指导员")
                occupation = next((o for o in org.rules.occupations if "机关" in o), m.occupation)
                members.update_member(SYSTEM, m, employer=dispatcher, post="党建工作指导员", occupation=occupation)
            self.participants[code] = chosen

    def arrangements(self) -> None:
        """Political arrangements (政治安排, seed 002): the CPPCC members a root's facts name — `cppcc_members`
        ({level: n} sitting on the root's `as_of`) of whom `new_cppcc_members` ({body: n}, e.g. 九江市政协) were
        co-opted (增选) in the as_of year; the others sat before it. In-service members, of the body's place
        where a branch bears its name (浔阳区政协: the 浔阳区 branch), each seat a dated line from its day."""
        r = self.rng
        for code, node in self.specs.items():
            facts = node.get("facts") or {}
            sitting, new = dict(facts.get("cppcc_members") or {}), facts.get("new_cppcc_members") or {}
            if not (sitting or new):
                continue
            org, as_of = self.orgs[code], self.roots[code]["as_of"]
            year = date(as_of.year, 1, 1)
            pool = [m for c, ms in self.members.items() if self.orgs[c].path.startswith(org.path) for m in ms
                    if m.employment == "在职" and self.since[m.pk] < year - DAY]
            r.shuffle(pool)
            seats = []  # (level, place, first day, last day)
            for body, n in new.items():
                level = cppcc_level(body)
                sitting[level] = sitting.get(level, 0) - n
                seats += [(level, body.removesuffix("政协"), year, as_of - DAY)] * n
            for level, n in sitting.items():
                if n < 0:
                    raise DemoError(f"{code} cppcc_members.{level}: fewer than new_cppcc_members name")
                seats += [(level, "", date(as_of.year - 5, 1, 1), year - DAY)] * n
            for level, place, first, last in seats:
                m = next((m for m in pool if place and place in m.org.name), None) or pool[0]
                pool.remove(m)
                day = self.people.day(max(first, self.since[m.pk]), last)
                members.update_member(SYSTEM, Member.objects.select_related("org").get(pk=m.pk), cppcc_member=level,
                                      effective=day)

    def promotions(self) -> None:
        """Cadres newly appointed in the as_of year (seed 002's `new_cadres`: 新任处级干部4人、科级干部8人): of the
        in-service members holding that rank on as_of, some held the rank below until a day of that year — their
        first line is set to the lower rank (a correction of the demo's first value), the rank then begins that day."""
        r, below = self.rng, {"厅级": "处级", "处级": "科级", "科级": "无"}
        for code, node in self.specs.items():
            new = (node.get("facts") or {}).get("new_cadres") or {}
            if not new:
                continue
            org, as_of = self.orgs[code], self.roots[code]["as_of"]
            year = date(as_of.year, 1, 1)
            for rank, n in new.items():
                ranked = [m for c, ms in self.members.items() if self.orgs[c].path.startswith(org.path) for m in ms
                          if m.employment == "在职" and self.since[m.pk] < year - DAY
                          and Member.objects.filter(pk=m.pk, cadre_rank=rank).exists()]
                if len(ranked) < n:
                    raise DemoError(f"{code} new_cadres.{rank}: {n} > {len(ranked)} in service holding it")
                for m in r.sample(ranked, n):
                    person = Member.objects.select_related("org").get(pk=m.pk)
                    members.update_member(SYSTEM, person, cadre_rank=below[rank], correction=True, note="演示数据：任职前")
                    members.update_member(SYSTEM, person, cadre_rank=rank, effective=self.people.day(year, as_of - DAY),
                                          note="提拔任用")

    # --- leadership ----------------------------------------------------------------------
    def pool(self, org: Org) -> list[Member]:
        """Full members who may lead `org`: those taking part in it, else those of its subtree
        (a group's: its branch's)."""
        if org.code in self.participants:
            return self.participants[org.code]
        if not org.holds_members:
            org = org.parent
        return [m for c, ms in self.members.items() if self.orgs[c].path.startswith(org.path)
                for m in ms if m.rules.category(m.category).full]

    def posts(self, org: Org, vacant: bool) -> list[str]:
        """The required posts (unless left vacant) and some others; a seed's committee size is kept."""
        r, specs = self.rng, org.rules.posts_for(org.kind)
        required = [p.key for p in specs if p.required]
        optional = [p for p in specs if not p.required]
        # in turn, at most two of each (副书记, 组织委员 … / 副主委, 委员), then more plain members (委员)
        others = [p.key for turn in range(2) for p in optional if turn < (p.max or 2)]
        others += [p.key for p in optional if p.max is None][-1:] * 20
        size = (self.specs[org.code].get("facts") or {}).get("committee_members")
        if size:
            k = size - len(required)
        elif not org.holds_members:
            k = 0
        elif org.code in self.members:  # a branch: a committee from 7 full members on (支部工作条例 §8)
            full = sum(1 for m in self.members[org.code] if m.rules.category(m.category).full)
            k = r.randint(2, 4) if full >= 7 else r.randint(0, 1)
        else:
            k = r.randint(2, 5)
        return ([] if vacant else required) + others[:k]

    def election(self, org: Org) -> date | None:
        """None, overdue, due soon or in term, by chance; a seed's committee was elected before as_of."""
        r, now = self.rng, today()
        years, soon = org.rules.term_years(org.kind, org.sector), org.rules.terms.due_soon_days
        due_today = add_years(now, -years)  # an election held that day falls due today
        if (self.specs[org.code].get("facts") or {}).get("committee_members"):
            held, state = self.roots[org.code]["as_of"] - timedelta(days=r.randint(200, 700)), "seed"
        else:
            state = r.choices(["none", "overdue", "due_soon", "ok"], [10, 20, 15, 55])[0]
            if state == "none":
                return None
            held = {"overdue": lambda: due_today - timedelta(days=r.randint(20, 600)),
                    "due_soon": lambda: due_today + timedelta(days=r.randint(20, soon - 20)),
                    "ok": lambda: self.people.day(due_today + timedelta(days=soon + 30), now - timedelta(days=30))}[state]()
        postponed = None
        if state == "overdue" and r.random() < 0.25:  # approved postponement, within max_postponement_years
            postponed = add_years(held, years) + timedelta(days=r.randint(120, 330))
        orgs.record_election(SYSTEM, org, held_on=held, postponed_to=postponed, note="演示数据 / demo")
        return held

    def leadership(self) -> None:
        r = self.rng
        branches = sorted(c for c in self.members if c not in self.participants)
        vacant = set(r.sample(branches, 2))  # two required posts left vacant
        holders: set[int] = set()
        for code, org in self.orgs.items():
            pool = self.pool(org)
            if not pool:  # nobody to lead it (an organization without members): no posts, no election
                continue
            held = self.election(org) if org.holds_members else None
            start = held or self.people.day(self.roots[code]["as_of"], today() - timedelta(days=30))
            if held and held < self.roots[code]["as_of"]:
                pool = [m for m in pool if self.since[m.pk] <= held] or pool
            posts = self.posts(org, code in vacant)
            fresh = [m for m in pool if m.pk not in holders]
            chosen = r.sample(fresh if len(fresh) >= len(posts) else pool, min(len(posts), len(pool)))
            for post, m in zip(posts, chosen):
                orgs.assign_post(SYSTEM, org, m, post, on=max(start, self.since[m.pk]))
                holders.add(m.pk)
