"""The statistics document (contracts/stats-json.md, RULES.md §9): an organization's subtree as the tree and the
records stood at the end of a day, counted set-based — each breakdown one GROUP BY over the dated lines, the age
band, birth decade and joining period a SQL CASE on dates worked out here.

Who is counted: the people whose belonging line (BelongingLine) was open at the end of `as_of` at an organization
whose line (OrgLine) put it in the subtree that day; their category is the category line open that day, their
joining date the start of their first line of a member category. The Member row's mirror columns (org, category)
are never read. See docs/stats.md.
"""
from __future__ import annotations

import functools
import operator
from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.db.models import Avg, Case, CharField, Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from jiceng.core import vocab
from jiceng.core.dates import today
from jiceng.core.paths import within
from jiceng.core.profiles import Profile
from jiceng.members.models import BelongingLine, CategoryLine, Exit, Member
from jiceng.members.history import values_as_of
from jiceng.orgs.models import Org, OrgLine

UNKNOWN = "未知"
# the official age bands (vocab.AGE_BANDS) in the contract's words
AGE_BANDS = [(word, hi) for word, (_label, _lo, hi) in zip(
    ["30岁及以下", "31至35岁", "36至40岁", "41至45岁", "46至50岁", "51至55岁", "56至60岁", "61岁及以上"], vocab.AGE_BANDS)]
YOUNG = 35  # new members "aged 35 and under" (RULES.md §9)
IN_SERVICE, RETIRED = "在职", "离退休"
# archive fields that change over a life: read from their dated lines, as they stood on the day
DATED = ("education", "degree", "title_level", "occupation", "employment", "cadre_rank", "npc_deputy", "cppcc_member")
# the political arrangements (政治安排) of the democratic parties' structure: the word shown, the field, its levels
ARRANGEMENTS = (("人大代表", "npc_deputy", vocab.NPC_LEVELS), ("政协委员", "cppcc_member", vocab.CPPCC_LEVELS))


def _attribute_pairs(field: str, day: date):
    """(member id, value) of `field` as it stood at the end of `day`."""
    return values_as_of(field, day)


def _attribute(field: str, day: date) -> Subquery:
    pairs = _attribute_pairs(field, day)
    person, value = pairs.query.values_select  # the two columns, whichever table keeps them
    return Subquery(pairs.filter(**{person: OuterRef("member_id")}).order_by().values(value)[:1])


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- filters (the import format's keys and words) --------------------------------------------------------------

def _choices(rules: Profile) -> dict[str, dict[str, str]]:
    """Each filter key: {word a user writes: value stored} (categories and kinds also by their keys)."""
    same = lambda words: {w: w for w in words}  # noqa: E731
    return {
        "category": {**{c.key: c.key for c in rules.categories}, **{c.label: c.key for c in rules.categories}},
        "sex": same(vocab.SEXES), "ethnicity": same(vocab.ETHNICITIES), "education": same(vocab.EDUCATIONS),
        "degree": same(vocab.DEGREES), "title_level": same(vocab.TITLE_LEVELS), "employment": same(vocab.EMPLOYMENTS),
        "occupation": same(rules.occupations), "sector": same(vocab.SECTORS), "cadre_rank": same(vocab.CADRE_RANKS),
        "npc_deputy": same(vocab.NPC_LEVELS), "cppcc_member": same(vocab.CPPCC_LEVELS),
        "kind": {**{k.key: k.key for k in rules.kinds}, **{k.label: k.key for k in rules.kinds}},
    }


FILTER_KEYS = ("category", "sex", "ethnicity", "education", "degree", "title_level", "occupation", "employment",
               "sector", "kind", "cadre_rank", "npc_deputy", "cppcc_member")


def check_filters(rules: Profile, filters: dict) -> dict[str, str]:
    """{annotation: stored value} for the filters, or a ValidationError naming each key that cannot be read."""
    choices, errors, out = _choices(rules), {}, {}
    for key, value in filters.items():
        if key not in choices:
            errors[key] = [_("没有名为 %(key)s 的筛选条件；可用的有：%(keys)s") % {"key": key, "keys": "、".join(FILTER_KEYS)}]
        elif value not in choices[key]:
            words = [w for w, v in choices[key].items() if w != v or key not in ("category", "kind")]
            errors[key] = [_("筛选条件 %(key)s 的值“%(value)s”无效；可选：%(values)s")
                           % {"key": key, "value": value, "values": "、".join(words)}]
        else:
            out[f"{key}_v"] = choices[key][value]
    if errors:
        raise ValidationError(errors)
    return out


# --- the subject -------------------------------------------------------------------------------------------------

def subtree_lines(org: Org, day: date):
    """The organizations of the subtree as their lines stood at the end of `day` (none if it did not exist)."""
    root = org.lines.as_of(day).first()
    return root, (OrgLine.objects.as_of(day).filter(within("path", root.path)) if root else OrgLine.objects.none())


def people(org_lines, day: date):
    """Everyone belonging in the subtree at the end of `day`, one row each, with what they are counted by."""
    category = CategoryLine.objects.as_of(day).filter(member_id=OuterRef("member_id")).order_by("-start")
    org_line = OrgLine.objects.as_of(day).filter(org_id=OuterRef("org_id")).order_by()
    return (BelongingLine.objects.as_of(day).filter(org_id__in=org_lines.values("org_id")).order_by()
            .annotate(category_v=Subquery(category.values("category")[:1]),
                      kind_v=Subquery(org_line.values("kind")[:1]), sector_v=Subquery(org_line.values("sector")[:1]),
                      sex_v=F("member__sex"), ethnicity_v=F("member__ethnicity"), birth=F("member__birth_date"),
                      **{f"{field}_v": _attribute(field, day) for field in DATED}))


def counted_people(org_lines, day: date, rules: Profile, lookups: dict | None = None):
    """(members with their joining date `joined`, candidates) of the subtree's lines at the end of `day`."""
    everyone = people(org_lines, day).filter(**(lookups or {}))
    member_keys = [c.key for c in rules.categories if c.is_member]
    joined = CategoryLine.objects.filter(member_id=OuterRef("member_id"), category__in=member_keys, start__lte=day)
    members = everyone.filter(category_v__in=member_keys).annotate(
        joined=Subquery(joined.order_by("start").values("start")[:1]))
    return members, everyone.filter(category_v__in=[c.key for c in rules.categories if not c.is_member])


def _breakdown(qs, column: str, order=(), word=None) -> dict[str, int]:
    """{word: count} by one column, one GROUP BY."""
    return _arranged(qs.order_by().values_list(column).annotate(n=Count("pk")).order_by(), order, word)


def _arranged(pairs, order=(), word=None) -> dict[str, int]:
    """{word: count} of (value, count) pairs: the words of `order` first (zeros kept), an empty value 未知."""
    out = dict.fromkeys(order, 0)
    for value, n in pairs:
        key = (word(value) if word and value else value) or UNKNOWN
        if n or key in out:  # (an aggregate over no rows at all answers one row of zero)
            out[key] = out.get(key, 0) + n
    known = [k for k in out if k in order]
    return {k: out[k] for k in [*known, *sorted(k for k in out if k not in order and k != UNKNOWN),
                                *([UNKNOWN] if UNKNOWN in out else [])]}


def _age_band(day: date, birth: str = "birth") -> Case:
    """The band of the age in whole years on `day`: age ≤ hi ⇔ born after `day` less hi + 1 years."""
    whens = [When(**{f"{birth}__isnull": True}, then=Value(UNKNOWN))]
    whens += [When(**{f"{birth}__gt": add_years(day, -(hi + 1))}, then=Value(word)) for word, hi in AGE_BANDS[:-1]]
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def _decades(qs) -> list[int]:
    span = qs.aggregate(lo=Min("birth"), hi=Max("birth"))
    return list(range(span["lo"].year // 10 * 10, span["hi"].year + 1, 10)) if span["lo"] else []


def _decade(decades: list[int]) -> Case:
    whens = [When(birth__gte=date(d, 1, 1), birth__lt=date(d + 10, 1, 1), then=Value(f"{d}s")) for d in decades]
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _joined_period(rules: Profile) -> Case | None:
    periods = rules.statistics.joining_periods
    if not periods:
        return None
    whens = [When(joined__isnull=True, then=Value(UNKNOWN))]
    whens += [When(joined__gte=p.since, then=Value(p.label)) for p in reversed(periods) if p.since]
    return Case(*whens, default=Value(periods[0].label), output_field=CharField())


def _age_at_joining():
    """Whole years from birth to the joining day, in SQL."""
    before_birthday = Q(jm__lt=F("bm")) | Q(jm=F("bm"), jd__lt=F("bd"))
    return (ExtractYear("joined") - ExtractYear("birth")
            - Case(When(before_birthday, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


# --- the document -----------------------------------------------------------------------------------------------

def document(user, org: Org, as_of: date | None = None, filters: dict | None = None,
             period: tuple[date, date] | None = None) -> dict:
    """The contract's JSON for `org`'s subtree at the end of `as_of` (default today). `org` is one the caller
    found within `user`'s scope (`find`); `filters` use the import format's keys and words (a ValidationError
    names a key or value that cannot be read); `period` (from, to) of the new members defaults to as_of's year.
    An organization outside the scope is "not found", whoever calls."""
    if not Org.objects.filter(pk=org.pk).restrict(user).exists():
        raise Http404
    day = as_of or today()
    rules, filters = org.rules, dict(filters or {})
    lookups = check_filters(rules, filters)
    year = (date(day.year, 1, 1), date(day.year, 12, 31))
    period = period or year
    if day == today() and not filters and period == year:  # today's, unfiltered: the roll-up
        return _todays_document(org, day, rules, period)
    return from_lines(org, day, rules, filters, lookups, period)


def from_lines(org: Org, day: date, rules: Profile, filters: dict, lookups: dict, period) -> dict:
    """The document counted from the dated lines: any day, any filters (and the check of the roll-up's)."""
    root, org_lines = subtree_lines(org, day)
    members, candidates = counted_people(org_lines, day, rules, lookups)
    member_keys = [c.key for c in rules.categories if c.is_member]
    candidate_keys = [c.key for c in rules.categories if not c.is_member]
    label = rules.category_label
    decades = _decades(members)
    counted = {
        "by_category": _breakdown(members, "category_v", [label(k) for k in member_keys], label),
        "by_sex": _breakdown(members, "sex_v", vocab.SEXES),
        "by_ethnicity": _breakdown(members, "ethnicity_v", ["汉族"]),
        "by_age_band": _breakdown(members.annotate(band=_age_band(day)), "band", [w for w, _hi in AGE_BANDS]),
        "by_birth_decade": _breakdown(members.annotate(decade=_decade(decades)), "decade", [f"{d}s" for d in decades]),
        "by_education": _breakdown(members, "education_v", vocab.EDUCATIONS),
        "by_degree": _breakdown(members, "degree_v", vocab.DEGREES),
        "by_title_level": _breakdown(members, "title_level_v", vocab.TITLE_LEVELS),
        "by_occupation": _breakdown(members, "occupation_v", rules.occupations),
        "by_employment": _breakdown(members, "employment_v", vocab.EMPLOYMENTS),
        "by_org_kind": _breakdown(members, "kind_v", [k.label for k in rules.kinds if k.holds_members], rules.kind_label),
        "by_joined_period": {},
    }
    periods = _joined_period(rules)
    if periods is not None:
        counted["by_joined_period"] = _breakdown(members.annotate(jp=periods), "jp",
                                                 [p.label for p in rules.statistics.joining_periods])
    doc = {
        "org": {"code": org.code, "name": root.name if root else org.name, "profile": org.profile},
        "as_of": day.isoformat(),
        "filters": filters,
        "members": {"total": members.count(), **counted},
        "candidates": {"total": candidates.count(),
                       "by_category": _breakdown(candidates, "category_v", [label(k) for k in candidate_keys], label)},
        "new_members": _new_members(members.filter(joined__gte=period[0], joined__lte=period[1]), rules, period),
        "organizations": _organizations(org_lines, rules),
        "exits": exits(org, rules, period),
    }
    if rules.statistics.structure:
        doc["structure"] = _structure(members, rules, doc["members"]["total"])
    return doc


def _todays_document(org: Org, day: date, rules: Profile, period) -> dict:
    """The same document for today, unfiltered, from the facet roll-up (stats.facets): a snapshot for a big
    subtree, a count of a small one's rows otherwise. Equal to the dated lines' answer (tests, bench stats)."""
    found, big = todays_facets(org)
    member_keys = [c.key for c in rules.categories if c.is_member]
    candidate_keys = [c.key for c in rules.categories if not c.is_member]
    categories = found.get("category", {})
    label = rules.category_label

    def by(facet, order=(), word=None, keys=None):
        pairs = found.get(facet, {}).items()
        return _arranged([(k, n) for k, n in pairs if keys is None or k in keys], order, word)

    births = found.get("birth", {})
    decades = sorted({int(m[:3]) * 10 for m in births if m})
    decades = list(range(decades[0], decades[-1] + 1, 10)) if decades else []
    counted = {
        "by_category": by("category", [label(k) for k in member_keys], label, keys=member_keys),
        **{f"by_{field}": by(field, order) for field, order in (
            ("sex", vocab.SEXES), ("ethnicity", ["汉族"]))},
        "by_age_band": _arranged(_age_bands(births, day, born_after_boundaries(day, org, member_keys, big)),
                                 [w for w, _hi in AGE_BANDS]),
        "by_birth_decade": _arranged([(f"{m[:3]}0s" if m else "", n) for m, n in births.items()],
                                     [f"{d}s" for d in decades]),
        **{f"by_{field}": by(field, order) for field, order in (
            ("education", vocab.EDUCATIONS), ("degree", vocab.DEGREES), ("title_level", vocab.TITLE_LEVELS),
            ("occupation", rules.occupations), ("employment", vocab.EMPLOYMENTS))},
        "by_org_kind": by("org_kind", [k.label for k in rules.kinds if k.holds_members], rules.kind_label),
        "by_joined_period": (by("joined_period", [p.label for p in rules.statistics.joining_periods])
                             if rules.statistics.joining_periods else {}),
    }
    total = sum(categories.get(k, 0) for k in member_keys)
    doc = {
        "org": {"code": org.code, "name": org.name, "profile": org.profile},
        "as_of": day.isoformat(),
        "filters": {},
        "members": {"total": total, **counted},
        "candidates": {"total": sum(categories.get(k, 0) for k in candidate_keys),
                       "by_category": by("category", [label(k) for k in candidate_keys], label, keys=candidate_keys)},
        "new_members": _todays_new_members(found, str(day.year), rules, period),
        "organizations": _todays_organizations(org, rules),
        "exits": exits(org, rules, period, big),
    }
    if rules.statistics.structure:
        pairs = [(*k.split("|", 1), n) for k, n in found.get("employment_title", {}).items()]
        upper = set(rules.statistics.mid_upper_titles)
        agg = {"in_service": sum(n for e, _t, n in pairs if e == IN_SERVICE),
               "retired": sum(n for e, _t, n in pairs if e == RETIRED),
               "mid_upper": sum(n for _e, t, n in pairs if t in upper),
               "in_service_mid_upper": sum(n for e, t, n in pairs if e == IN_SERVICE and t in upper)}
        doc["structure"] = {**agg, "mid_upper_share": _share(agg["mid_upper"], total),
                            "in_service_mid_upper_share": _share(agg["in_service_mid_upper"], agg["in_service"]),
                            # only the recorded values are kept (stats.facets): the rest of the total is unknown
                            **_cadres_and_arrangements(lambda field: found.get(field, {}), total)}
    return doc


def todays_facets(org: Org) -> tuple[dict[str, dict[str, int]], bool]:
    """{facet: {key: count}} of the subtree's people today (stats.facets), and whether it is big (a snapshot)."""
    from .facets import facets as rollup

    found: dict[str, dict[str, int]] = {}
    kept = rollup.read(org.pk)
    for (facet, key), n in (kept if kept is not None else rollup.compute(org.path)).items():
        found.setdefault(facet, {})[key] = n
    return found, kept is not None


def todays_bands_by_sex(org: Org, day: date) -> dict[str, dict[str, int]]:
    """{sex: {age band: count}} of today's members, from the roll-up (the age pyramid)."""
    found, big = todays_facets(org)
    births: dict[str, dict[str, int]] = {}
    for key, n in found.get("sex_birth", {}).items():
        sex, month = key.split("|", 1)
        births.setdefault(sex, {})[month] = n
    keys = [c.key for c in org.rules.categories if c.is_member]
    after = born_after_boundaries(day, org, keys, big, by_sex=True)
    return {sex or UNKNOWN: _arranged(_age_bands(months, day, after.get(sex, {})), [w for w, _hi in AGE_BANDS])
            for sex, months in births.items()}


def _of_year(found: dict, facet: str, year: str) -> list[tuple[str, int]]:
    """(value, count) of a facet keyed "year|value", for one year."""
    return [(k.split("|", 1)[1], n) for k, n in found.get(facet, {}).items() if k.startswith(year + "|")]


def _todays_new_members(found: dict, year: str, rules: Profile, period) -> dict:
    ages = [(int(age), n) for age, n in _of_year(found, "new_age", year)]
    aged = sum(n for _age, n in ages)
    return {
        "period": [period[0].isoformat(), period[1].isoformat()],
        "count": found.get("new", {}).get(year, 0),
        "average_age": round(sum(age * n for age, n in ages) / aged, 1) if aged else 0.0,
        "aged_35_or_under": sum(n for age, n in ages if age <= YOUNG),
        "by_degree": _arranged(_of_year(found, "new_degree", year), vocab.DEGREES),
        "by_education": _arranged(_of_year(found, "new_education", year), vocab.EDUCATIONS),
        "by_sex": _arranged(_of_year(found, "new_sex", year), vocab.SEXES),
        "by_occupation": _arranged(_of_year(found, "new_occupation", year), rules.occupations),
    }


def born_after_boundaries(day: date, org: Org, member_keys, big: bool, by_sex: bool = False) -> dict:
    """{band boundary's index: members of the subtree born after that boundary day within its month} (or
    {sex: …}): a few days' births, asked of the members' birth index in one query."""
    bounds = [add_years(day, -(hi + 1)) for _word, hi in AGE_BANDS[:-1]]
    ends = [(b, date(b.year + b.month // 12, b.month % 12 + 1, 1)) for b in bounds]  # after b, before the next month
    ranges = [Q(birth_date__gt=b, birth_date__lt=end) for b, end in ends]
    after = (Member.objects.filter(within("org_path", org.path, by_index=not big), exited_on__isnull=True,
                                   category__in=member_keys)
             .filter(functools.reduce(operator.or_, ranges)))
    if by_sex:
        return {counts["sex"] or "": {int(k[1:]): n for k, n in counts.items() if k != "sex"} for counts in
                after.values("sex").annotate(**{f"b{i}": Count("pk", filter=r) for i, r in enumerate(ranges)}).order_by()}
    return {int(k[1:]): n for k, n in after.aggregate(**{f"b{i}": Count("pk", filter=r) for i, r in enumerate(ranges)}).items()}


def _age_bands(births: dict[str, int], day: date, after: dict[int, int]) -> list[tuple[str, int]]:
    """(band, count) from the members' birth months: a month wholly after a band's boundary day (born after
    it: that age or younger) goes by the month; the one month that holds a boundary is split by `after`, the
    people born in it after the boundary (born_after_boundaries)."""
    bounds = [(word, add_years(day, -(hi + 1))) for word, hi in AGE_BANDS[:-1]]
    words = [w for w, _hi in AGE_BANDS]
    out = []
    for month, n in births.items():
        if not month:
            out.append(("", n))
            continue
        for i, (word, boundary) in enumerate(bounds):
            edge = boundary.isoformat()[:7]
            if month > edge:
                out.append((word, n))
                break
            if month == edge:
                out += [(word, after.get(i, 0)), (words[i + 1], n - after.get(i, 0))]
                break
        else:
            out.append((words[-1], n))
    return out


def _new_members(qs, rules: Profile, period) -> dict:
    ages = qs.annotate(jm=ExtractMonth("joined"), jd=ExtractDay("joined"), bm=ExtractMonth("birth"),
                       bd=ExtractDay("birth")).annotate(age=_age_at_joining())
    agg = ages.aggregate(count=Count("pk"), average=Avg("age"), young=Count("pk", filter=Q(age__lte=YOUNG)))
    return {
        "period": [period[0].isoformat(), period[1].isoformat()],
        "count": agg["count"],
        "average_age": round(float(agg["average"]), 1) if agg["average"] is not None else 0.0,
        "aged_35_or_under": agg["young"],
        "by_degree": _breakdown(qs, "degree_v", vocab.DEGREES),
        "by_education": _breakdown(qs, "education_v", vocab.EDUCATIONS),
        "by_sex": _breakdown(qs, "sex_v", vocab.SEXES),
        "by_occupation": _breakdown(qs, "occupation_v", rules.occupations),
    }


def exits(org: Org, rules: Profile, period, big: bool = False) -> dict:
    """Members who left the subtree's organizations in `period` (both days included), by the profile's exit kinds
    in its order (出党: death, 退党, 除名 …; the words its profile uses; a transfer out of the installation is no leaving). A person counts under the organization
    they belonged to when they left (the Member row's organization, which an exit leaves in place); candidates
    (applicants, activists) who left are not members leaving and are not counted. One GROUP BY, over the
    period's exits for a `big` subtree (one that keeps a snapshot: stats.facets), over its people otherwise."""
    member_keys = [c.key for c in rules.categories if c.is_member]
    qs = Exit.objects.filter(within("member__org_path", org.path, by_index=not big), on__gte=period[0], on__lte=period[1],
                             member__category__in=member_keys).exclude(kind__in=[e.key for e in rules.exits if not e.leaves])
    found = dict(qs.order_by().values_list("kind").annotate(n=Count("pk")).order_by())
    by_kind = {e.label: found.pop(e.key, 0) for e in rules.exits if e.leaves}
    if found:
        by_kind[UNKNOWN] = sum(found.values())
    return {"period": [period[0].isoformat(), period[1].isoformat()], "total": sum(by_kind.values()),
            "by_kind": by_kind}


def _organizations(org_lines, rules: Profile) -> dict:
    total = org_lines.count()
    return {"total": total, "below": max(0, total - 1),  # below: the subtree without the organization itself
            "by_kind": _breakdown(org_lines, "kind", [k.label for k in rules.kinds], rules.kind_label),
            "by_sector": _breakdown(org_lines, "sector", vocab.SECTORS)}


def _todays_organizations(org: Org, rules: Profile) -> dict:
    from .facets import org_facets

    found = org_facets.read(org.pk) or org_facets.compute(org.path)
    total = found[org_facets.TOTAL]
    pairs = lambda facet: [(key, n) for (f, key), n in found.items() if f == facet]  # noqa: E731
    return {"total": total, "below": max(0, total - 1),
            "by_kind": _arranged(pairs("kind"), [k.label for k in rules.kinds], rules.kind_label),
            "by_sector": _arranged(pairs("sector"), vocab.SECTORS)}


def _structure(members, rules: Profile, total: int) -> dict:
    """The democratic parties' own structure (seeds 002, 003): in service and retired, 中上层人士 (a middle or
    senior title, as the profile says) among all and among those in service; cadres by rank and the political
    arrangements (人大代表, 政协委员) as the members' dated lines stood on the day."""
    upper = Q(title_level_v__in=rules.statistics.mid_upper_titles)
    working = Q(employment_v=IN_SERVICE)
    agg = members.aggregate(in_service=Count("pk", filter=working), retired=Count("pk", filter=Q(employment_v=RETIRED)),
                            mid_upper=Count("pk", filter=upper), in_service_mid_upper=Count("pk", filter=working & upper))
    # one GROUP BY a field (its dated line's value read once a person), the values recorded only
    recorded = {field: {value: n for value, n in members.order_by().values_list(f"{field}_v").annotate(n=Count("pk"))
                        .order_by() if value}
                for field in ("cadre_rank", *(f for _word, f, _levels in ARRANGEMENTS))}
    return {**agg, "mid_upper_share": _share(agg["mid_upper"], total),
            "in_service_mid_upper_share": _share(agg["in_service_mid_upper"], agg["in_service"]),
            **_cadres_and_arrangements(recorded.__getitem__, total)}


def _cadres_and_arrangements(recorded, total: int) -> dict:
    """`by_cadre_rank` (干部级别, summing to the total: a rank not recorded is 未知) and `political_arrangements`
    ({"人大代表": {level: n, …, "total": n}, "政协委员": {…}}: those sitting at each level) from
    `recorded(field)` → {value: count} of the members whose field is recorded (blank is not a value)."""
    ranks = recorded("cadre_rank")
    known = sum(ranks.values())
    arrangements = {}
    for word, field, levels in ARRANGEMENTS:
        sitting = recorded(field)
        counts = {level: sitting.get(level, 0) for level in levels}
        arrangements[word] = {**counts, "total": sum(counts.values())}
    return {"by_cadre_rank": _arranged([*ranks.items(), ("", total - known)], vocab.CADRE_RANKS),
            "political_arrangements": arrangements}


def find(user, code: str) -> Org | None:
    """The organization with this code if `user` may read it; None otherwise ("not found")."""
    return Org.objects.filter(code=(code or "").strip()).restrict(user).first()
