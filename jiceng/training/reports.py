"""What training's records add up to, for any subtree and period: a person's hours against the annual
requirement (capped by form), the coverage of an audience with the names still missing, the new leaders
not trained in time, and the figures the seeds report (sessions, people trained 人次, hours).

Every function is set-based: aggregate queries over the subtree's index ranges, then arithmetic on the
aggregated rows (one row per person and form at most), never a query per person or course. The caller
finds the organization through the user's scope; everything here stays inside its subtree.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Substr

from jiceng.core import profiles, spans
from jiceng.core.dates import today
from jiceng.core.paths import SEGMENT, within
from jiceng.members.models import BelongingLine, CategoryLine, Member
from jiceng.orgs.models import Org, PostHolding

from .models import Course, Enrolment

ZERO = Decimal(0)


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def standing_day(end: date) -> date:
    """Who is in an audience is read as of the period's end, or today while the period runs."""
    return min(end, today())


# --- hours against the requirement ---------------------------------------------------------------------

def capped(by_form: dict[str, Decimal], caps: dict[str, float]) -> dict[str, Decimal]:
    """The hours counted from each form: all of them, up to the form's cap."""
    return {form: min(h, Decimal(str(caps[form]))) if form in caps else h for form, h in by_form.items()}


def audiences_on(training: profiles.Training, member_ids, day: date) -> dict[int, set[str]]:
    """The audiences each person is in on `day`, from their category line and the posts they hold."""
    cats = dict(CategoryLine.objects.as_of(day).filter(member_id__in=member_ids).values_list("member_id", "category"))
    posts = defaultdict(list)
    for member_id, post, kind in (PostHolding.objects.as_of(day).filter(member_id__in=member_ids)
                                  .values_list("member_id", "post", "org__kind")):
        posts[member_id].append((post, kind))
    out: dict[int, set[str]] = defaultdict(set)
    for a in training.audiences:
        for member_id, category in cats.items():
            if category in a.categories:
                out[member_id].add(a.key)
        if a.posts:
            for member_id, held in posts.items():
                if any(p in a.posts and (not a.kinds or k in a.kinds) for p, k in held):
                    out[member_id].add(a.key)
    return out


def hours_by_form(member_ids, start: date, end: date) -> dict[int, dict[str, Decimal]]:
    """Hours earned in the period, by person and form: one aggregate query."""
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (Enrolment.objects.filter(member_id__in=member_ids, attended=True, on__range=(start, end))
            .values("member_id", "course__form").annotate(h=Sum("hours")).order_by())
    for row in rows:
        out[row["member_id"]][row["course__form"]] = row["h"] or ZERO
    return out


@dataclass
class Progress:
    """A person's year: the hours asked (the highest of their audiences'), earned and counted by form."""

    member_id: int
    required: Decimal
    by_form: dict[str, Decimal]
    counted_by_form: dict[str, Decimal]
    audiences: set[str] = field(default_factory=set)

    @property
    def earned(self) -> Decimal:
        return sum(self.by_form.values(), ZERO)

    @property
    def counted(self) -> Decimal:
        return sum(self.counted_by_form.values(), ZERO)

    @property
    def met(self) -> bool:
        return self.counted >= self.required

    @property
    def short(self) -> Decimal:
        return max(self.required - self.counted, ZERO)

    @property
    def percent(self) -> int | None:
        return min(100, int(self.counted * 100 / self.required)) if self.required else None


def progress(rules: profiles.Profile, member_ids, year: int) -> dict[int, Progress]:
    """Each person's hours in `year` against the requirement of the audiences they are in at its end (or
    today). `member_ids`: a list or a queryset of ids (then it stays a subquery)."""
    training = rules.training
    start, end = year_span(year)
    if training is None:
        return {}
    day = standing_day(end)
    audiences = audiences_on(training, member_ids, day)
    hours = hours_by_form(member_ids, start, end)
    caps = training.caps()
    ids = member_ids if isinstance(member_ids, (list, tuple, set)) else list(member_ids)
    return {m: Progress(m, Decimal(str(training.requirement_of(audiences.get(m, set())))), dict(hours.get(m, {})),
                        capped(hours.get(m, {}), caps), audiences.get(m, set())) for m in ids}


def progress_of(member: Member, year: int) -> Progress:
    return progress(member.rules, [member.pk], year).get(member.pk)


# --- who is in an audience, and coverage -----------------------------------------------------------------

def audience_members(rules: profiles.Profile, key: str, path: str, day: date):
    """The people of audience `key` in the subtree of `path` on `day`, as a Member queryset annotated with
    `at`: the path of the organization that places them there (where they belong, else where they hold
    the post). Members of its categories who belong in the subtree; holders of its posts at organizations
    of its kinds in the subtree."""
    a = rules.training.audience(key)
    found = Q(pk__in=[])
    belonging = BelongingLine.objects.as_of(day).filter(within("org__path", path))
    holding = PostHolding.objects.as_of(day).filter(within("org__path", path))
    if a.posts:
        holding = holding.filter(post__in=a.posts, **({"org__kind__in": a.kinds} if a.kinds else {}))
        found |= Q(pk__in=holding.values("member_id"))
    if a.categories:
        in_category = CategoryLine.objects.as_of(day).filter(category__in=a.categories).values("member_id")
        found |= Q(pk__in=belonging.filter(member_id__in=in_category).values("member_id"))
    at_belonging = belonging.filter(member_id=OuterRef("pk")).values("org__path")[:1]
    at_holding = holding.filter(member_id=OuterRef("pk")).values("org__path")[:1]
    return Member.objects.filter(found).annotate(at=Coalesce(Subquery(at_belonging), Subquery(at_holding)))


def trained_ids(training: profiles.Training, key: str, start: date, end: date):
    """Ids of the people who attended, in the period, a course for this audience or one whose courses count."""
    counts = [key, *training.audience(key).counts]
    return (Enrolment.objects.filter(attended=True, on__range=(start, end), course__audience__in=counts)
            .values("member_id"))


@dataclass
class Coverage:
    org: Org
    audience: str
    start: date
    end: date
    total: int
    trained: int
    by_child: list  # (org, total, trained): the organization itself first, then its children
    missing: list  # Members (with `at` and `at_org`), at most the limit asked
    missing_total: int

    @property
    def percent(self) -> int | None:
        return int(self.trained * 100 / self.total) if self.total else None

    @property
    def full(self) -> bool:
        return self.total > 0 and self.trained == self.total


def coverage(org: Org, key: str, start: date, end: date, *, limit: int | None = 500) -> Coverage:
    """The share of audience `key` in org's subtree trained in the period (全覆盖, 至少轮训一遍), by child
    organization, and the names still missing (first `limit`, by place in the tree and name)."""
    rules = org.rules
    day = standing_day(end)
    people = audience_members(rules, key, org.path, day)
    trained = trained_ids(rules.training, key, start, end)
    child = Substr("at", 1, len(org.path) + SEGMENT)
    rows = (people.annotate(child=child).values("child")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(pk__in=trained))).order_by("child"))
    rows = list(rows)
    orgs = {o.path: o for o in Org.objects.filter(path__in=[r["child"] for r in rows if r["child"]])}
    by_child = sorted(((orgs.get(r["child"]), r["total"], r["done"]) for r in rows if r["child"] in orgs),
                      key=lambda t: (t[0].pk != org.pk, t[0].path))
    missing_qs = people.exclude(pk__in=trained).order_by("at", "name", "pk")
    missing_total = sum(t - d for _o, t, d in by_child)
    missing = list(missing_qs[:limit] if limit is not None else missing_qs)
    places = {o.path: o for o in Org.objects.filter(path__in={m.at for m in missing if m.at})}
    for m in missing:
        m.at_org = places.get(m.at)
    return Coverage(org, key, start, end, sum(t for _o, t, _d in by_child), sum(d for _o, _t, d in by_child),
                    by_child, missing, missing_total)


# --- new leaders trained within the time limit --------------------------------------------------------------

TRAINED, LATE, OVERDUE, PENDING = "trained", "late", "overdue", "pending"


@dataclass
class NewLeader:
    holding: PostHolding
    due: date
    trained_on: date | None
    status: str


def new_leaders(org: Org, start: date, end: date) -> list[NewLeader]:
    """Holders of the profile's leader posts in the subtree who took the post up in the period, each with
    the day their training falls due (six months on [firm]), their first training since, and its status:
    trained in time, late, overdue (none yet and past due), pending (none yet, still in time)."""
    training = org.rules.training
    rule = training.new_leaders if training else None
    if rule is None:
        return []
    a = training.audience(rule.audience)
    holdings = PostHolding.objects.filter(within("org__path", org.path), post__in=a.posts, start__range=(start, end))
    if a.kinds:
        holdings = holdings.filter(org__kind__in=a.kinds)
    first = (Enrolment.objects.filter(member_id=OuterRef("member_id"), attended=True, on__gte=OuterRef("start"),
                                      course__audience__in=[rule.audience, *rule.audiences])
             .order_by("on").values("on")[:1])
    holdings = holdings.annotate(trained_on=Subquery(first)).select_related("member", "org").order_by("org__path", "start")
    now, out = today(), []
    for h in holdings:
        due = spans.add(h.start, **rule.within.model_dump())
        if h.trained_on:
            status = TRAINED if h.trained_on <= due else LATE
        else:
            status = OVERDUE if due < now else PENDING
        out.append(NewLeader(h, due, h.trained_on, status))
    return out


# --- the figures the seeds report -------------------------------------------------------------------------

@dataclass
class Figures:
    sessions: int  # courses held by organizations of the subtree, starting in the period
    person_times: int  # 人次: attendance lines of people belonging to the subtree on the day of their hours
    people: int  # different people among them
    hours: Decimal
    by_form: list  # (form key, sessions, person-times, hours)


def figures(org: Org, start: date, end: date) -> Figures:
    path = org.path
    courses = Course.objects.filter(within("org_path", path), starts_on__range=(start, end))
    belonged = (BelongingLine.objects.filter(within("org__path", path), member_id=OuterRef("member_id"),
                                             start__lte=OuterRef("on"))
                .filter(Q(end__isnull=True) | Q(end__gt=OuterRef("on"))))
    lines = Enrolment.objects.filter(Exists(belonged), attended=True, on__range=(start, end))
    totals = lines.aggregate(n=Count("pk"), people=Count("member_id", distinct=True), hours=Sum("hours"))
    sessions = dict(courses.values_list("form").annotate(n=Count("pk")).order_by())
    by_line = {r["course__form"]: (r["n"], r["h"] or ZERO)
               for r in lines.values("course__form").annotate(n=Count("pk"), h=Sum("hours")).order_by()}
    forms = [f.key for f in org.rules.training.forms] if org.rules.training else []
    keys = forms + sorted((set(sessions) | set(by_line)) - set(forms))
    by_form = [(k, sessions.get(k, 0), *by_line.get(k, (0, ZERO))) for k in keys if k in sessions or k in by_line]
    return Figures(courses.count(), totals["n"], totals["people"], totals["hours"] or ZERO, by_form)
