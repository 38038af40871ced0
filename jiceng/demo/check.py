"""Checks the built demo against seed_orgs.yaml: every member breakdown now and as of the root's
`as_of` date, and the facts that can be derived from the records. Returns the mismatches."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import Exists, OuterRef

from jiceng.core.cli import OPERATOR
from jiceng.core.paths import within
from jiceng.members.models import AttributeLine, CategoryLine, Member, ParticipationLine
from jiceng.orgs import services as orgs
from jiceng.orgs.models import Org, PostHolding
from jiceng.stats.document import UNKNOWN, document

from .people import UPPER_TITLES

MID_SENIOR = ("正高级", "副高级", "中级")
UNIVERSITY = ("研究生", "大学本科")


def _tally(qs, field) -> dict:
    return dict(Counter(qs.values_list(field, flat=True)))


def _joined(qs, rules, year=None):
    join = next(c.key for c in rules.categories if c.join_date)
    lines = CategoryLine.objects.filter(member__in=qs, category=join)
    return lines.filter(start__year=year) if year else lines


def _members(org: Org, spec: dict, as_of) -> dict:
    """Actual values for each key of a `members` block (compared with the block itself)."""
    qs, rules = Member.objects.filter(org=org), org.rules
    work = qs.filter(employment="在职")
    then = orgs.member_counts_as_of([org.pk], as_of).get(org.pk, {})
    got = {
        "count": qs.count(),
        "count_as_of": sum(then.values()),
        **{f: _tally(qs, f) for f in ("employment", "education", "title_level", "occupation", "degree")},
        "category": {rules.category_label(k): n for k, n in _tally(qs, "category").items()},
        "category_as_of": {rules.category_label(k): n for k, n in then.items()},
        "women": qs.filter(sex="女").count(),
        "born_1980s": qs.filter(birth_date__year__gte=1980, birth_date__year__lte=1989).count(),
        "joined_since": {y: _joined(qs, rules, y).count() for y in spec.get("joined_since", {})},
        "cadre_rank": _ranks(org, as_of, keep_none=True) if "cadre_rank" in spec else {},
        "stratum": {"中上层": qs.filter(title_level__in=list(UPPER_TITLES)).count()},
    }
    if "in_service" in spec:
        got["in_service"] = {"count": work.count(), **{f: _tally(work, f) for f in spec["in_service"] if f != "count"}}
    return got


def _structure(org: Org, day) -> dict:
    """The statistics document's structure block (`jiceng stats CODE --as-of DAY --json`) as the operator reads it."""
    return document(OPERATOR, org, day)["structure"]


def _ranks(org: Org, day, keep_none: bool = False) -> dict:
    """Members by cadre rank on the day, from the statistics (zeros left out; 无 too unless `keep_none`)."""
    return {r: n for r, n in _structure(org, day)["by_cadre_rank"].items() if n and (keep_none or r not in ("无", UNKNOWN))}


def _cppcc(org: Org, day) -> dict:
    """政协委员 by level on the day, from the statistics (zeros and the total left out)."""
    return {level: n for level, n in _structure(org, day)["political_arrangements"]["政协委员"].items()
            if n and level != "total"}


def _new_cppcc(org: Org, as_of, bodies: dict) -> dict:
    """The seats added in as_of's year, by body as the facts name them (九江市政协: 2): each level's growth since the
    year before ended, shared out to the bodies of that level in the facts' order."""
    from .build import cppcc_level

    grown = Counter(_cppcc(org, as_of))
    grown.subtract(_cppcc(org, date(as_of.year, 1, 1) - timedelta(days=1)))
    out = dict(bodies)
    for level in {cppcc_level(body) for body in bodies}:
        named = [body for body in bodies if cppcc_level(body) == level]
        if grown[level] != sum(bodies[body] for body in named):  # the first body of the level shows the difference
            out[named[0]] = grown[level] - sum(bodies[body] for body in named[1:])
    return out


def _new_cadres(org: Org, as_of) -> dict:
    """Members of the subtree who took up a rank in as_of's year after holding another (their dated cadre_rank lines)."""
    lines = AttributeLine.objects.filter(within("member__org_path", org.path), field="cadre_rank",
                                         start__gte=date(as_of.year, 1, 1), start__lte=as_of)
    earlier = AttributeLine.objects.filter(member_id=OuterRef("member_id"), field="cadre_rank", end=OuterRef("start"))
    return dict(Counter(lines.filter(Exists(earlier)).exclude(value="无").values_list("value", flat=True)))


def _expected(spec: dict) -> dict:
    want = dict(spec, count_as_of=spec["count"])
    if "category" in spec:
        want["category_as_of"] = spec["category"]
    if "stratum" in spec:
        want["stratum"] = {"中上层": spec["stratum"].get("中上层", 0)}
    return want


def _facts(org: Org, facts: dict, as_of) -> dict:
    """Actual values of the facts that the records can answer."""
    rules = org.rules
    _root, lines = orgs.lines_as_of(org, as_of)
    ids = list(lines.values_list("org_id", flat=True))
    counts = orgs.member_counts_as_of(ids, as_of)
    members = sum(n for c in counts.values() for k, n in c.items() if rules.category(k).is_member)
    qs = Member.objects.filter(within("org_path", org.path))
    work = qs.filter(employment="在职")
    got = {"members": members, "party_members": members, "party_organizations": len(ids) - 1,
           "employment": _tally(qs, "employment"),
           "born_1980s": qs.filter(birth_date__year__gte=1980, birth_date__year__lte=1989).count(),
           "in_service_university_or_higher": work.filter(education__in=UNIVERSITY).count(),
           "in_service_mid_senior_title": work.filter(title_level__in=MID_SENIOR).count(),
           "instructors": ParticipationLine.objects.as_of(as_of).filter(org_id__in=ids).count(),
           "base_organizations": lines.filter(parent_id=org.pk).count(),
           "branches": lines.filter(parent_id=org.pk).count(),
           "committee_members": PostHolding.objects.as_of(as_of).filter(org=org).values("member").distinct().count(),
           "cadres": _ranks(org, as_of) if "cadres" in facts else None,
           "cppcc_members": _cppcc(org, as_of) if "cppcc_members" in facts else None,
           "new_cppcc_members": _new_cppcc(org, as_of, facts["new_cppcc_members"]) if "new_cppcc_members" in facts else None,
           "new_cadres": _new_cadres(org, as_of) if "new_cadres" in facts else None,
           "stratum_mid_upper_percent": round(100 * qs.filter(title_level__in=list(UPPER_TITLES)).count() / max(1, qs.count()))}
    new = facts.get("new_members")
    if new:
        lines = _joined(qs, rules, new["year"]).select_related("member")
        ages = [l.member.age_on(l.start) for l in lines]
        got["new_members"] = {"year": new["year"], "count": len(ages)}
        if "average_age" in new:
            got["new_members"]["average_age"] = round(sum(ages) / len(ages), 1) if ages else None
        if "degree" in new:
            got["new_members"]["degree"] = {d: sum(1 for l in lines if l.member.degree == d) for d in new["degree"]}
    return {k: v for k, v in got.items() if k in facts}


def verify(spec_roots: list[dict]) -> list[str]:
    problems = []

    def walk(node, as_of):
        org = Org.objects.get(code=node["code"])
        checks = []
        if "members" in node:
            want = _expected(node["members"])
            checks += [(k, want[k], v) for k, v in _members(org, node["members"], as_of).items() if k in want]
        facts = node.get("facts") or {}
        checks += [(f"facts.{k}", facts[k], v) for k, v in _facts(org, facts, as_of).items()]
        for key, want, got in checks:
            if want != got and not (isinstance(want, float) and got == round(want, 1)):
                problems.append(f"{org.code} {org.name} {key}: 应为 expected {want}, 实为 got {got}")
        for child in node.get("children", []):
            walk(child, as_of)

    for root in spec_roots:
        walk(root, root["as_of"])
    return problems
