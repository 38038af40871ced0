"""Today's statistics of a big subtree from a roll-up (core.rollups.FacetRollup): what each person on the
books adds to the statistics document, as (facet, key) pairs — the breakdowns by their values, the birth
month (age bands and decades: stats.document finishes the bands that a month straddles), the joining
period, and the year of joining with the degree, education, sex, occupation and age on that day (the new
members of a calendar year); for members whose cadre rank or political arrangements are recorded, those too.
The Member row's mirrors of the open dated lines are today's values."""
from __future__ import annotations

from datetime import date

from jiceng.core import profiles
from jiceng.core.rollups import FacetRollup
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from .models import MemberFacets, OrgFacets

UNKNOWN = "未知"
PLAIN = ("sex", "ethnicity", "education", "degree", "title_level", "occupation", "employment")
NEW = ("degree", "education", "sex", "occupation")  # new members' breakdowns (stats-json.md)
# counted only where recorded (the democratic parties' structure: 干部级别, 人大代表, 政协委员): a member with none
# adds nothing, so a snapshot taken before the fields existed needs no rebuild
RECORDED = ("cadre_rank", "npc_deputy", "cppcc_member")


def joined_period(rules: profiles.Profile, joined: date | None) -> str:
    """The profile's joining period of a joining day (RULES.md §9): the last one begun by then."""
    periods = rules.statistics.joining_periods
    if joined is None:
        return UNKNOWN
    return next((p.label for p in reversed(periods) if p.since and joined >= p.since), periods[0].label)


class MemberFacetRollup(FacetRollup):
    table = MemberFacets
    source = Member
    path = "org_path"  # the member's copy of its organization's path: the subtree index
    columns = ("category", *PLAIN, *RECORDED, "birth_date", "joined_on", "exited_on")
    org_columns = ("profile", "kind")

    def counted(self, row: dict) -> bool:
        return row["exited_on"] is None  # today's statistics: the people on the books

    def facts(self, row: dict, org: dict):
        rules = profiles.get(org["profile"])
        yield "category", row["category"]
        category = rules.category(row["category"])
        if category is None or not category.is_member:
            return  # a candidate counts by category only
        yield from ((field, row[field]) for field in PLAIN)
        yield "org_kind", org["kind"]
        yield "employment_title", f"{row['employment']}|{row['title_level']}"
        yield from ((field, row[field]) for field in RECORDED if row[field])
        birth, joined = row["birth_date"], row["joined_on"]
        yield "birth", birth.isoformat()[:7] if birth else ""
        yield "sex_birth", f"{row['sex']}|{birth.isoformat()[:7] if birth else ''}"  # the age pyramid
        if rules.statistics.joining_periods:
            yield "joined_period", joined_period(rules, joined)
        if joined:
            year = str(joined.year)
            yield "new", year
            if birth:
                yield "new_age", f"{year}|{profiles.age_on(birth, joined)}"
            yield from ((f"new_{field}", f"{year}|{row[field]}") for field in NEW)


class OrgFacetRollup(FacetRollup):
    """The organizations of a subtree (each counts in its own): today's part "organizations" of the document."""

    table = OrgFacets
    source = Org
    org = "id"
    path = "path"
    columns = ("kind", "sector", "dissolved_on")

    def counted(self, row: dict) -> bool:
        return row["dissolved_on"] is None

    def facts(self, row: dict, org: dict):
        yield "kind", row["kind"]
        yield "sector", row["sector"]


facets = MemberFacetRollup()
org_facets = OrgFacetRollup()
