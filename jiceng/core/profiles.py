"""Organization profiles: one YAML file per organization system (CCP, 民进, 九三学社 …).

The file is the regulation; this module only loads and checks it. Every
engine asks the profile, never an `if` on a party's name.
"""
from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from django.core.exceptions import ImproperlyConfigured
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .i18n import pick

PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"

Text = str | dict[Literal["zh", "en"], str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Kind(_Strict):
    key: str
    label: str
    may_sit_under: list[str | None] = Field(description="kinds of the parent; null means it may be a root")
    holds_members: bool = True
    stats_group: str | None = None  # e.g. base committee / general branch / branch in official counts


class Category(_Strict):
    key: str
    label: str
    min_age: int = 0
    is_member: bool = True  # counts in the member total (applicants and activists do not)
    full: bool = False  # a full member: may vote, be contact or introducer
    join_date: bool = False  # the start of this category is the joining date (入党/入会/入社日期)
    source: str = ""  # where min_age comes from


class ExitKind(_Strict):
    """A way a person leaves the archive (去世, 退党, 除名 …): a dated record ends their lines that day."""

    key: str
    label: str
    source: str = ""
    # decided by a meeting or a document (除名, 开除 …): the exit must name it as its evidence
    evidence: bool = False
    # a leaving of the party (出党) as the statistics count it; false for a transfer out of the installation
    leaves: bool = True


class Post(_Strict):
    key: str
    label: str
    required: bool = False
    max: int | None = None
    committee: bool = True  # counts towards "has a committee"


class Terms(_Strict):
    default_years: int
    by_kind: dict[str, int] = {}
    by_sector: dict[str, int] = {}
    max_postponement_years: int = 1
    due_soon_days: int = 180
    note: str = ""


class Condition(_Strict):
    count: Literal["members", "posts"]
    categories: list[str] = []
    posts: list[str] = []
    op: Literal[">", ">=", "<", "<=", "=="]
    value: int


class WarningRule(_Strict):
    key: str
    kinds: list[str]
    when: list[Condition]
    message: Text
    source: str = ""


class Span(_Strict):
    """A length of time: calendar parts add up; working days skip weekends and the holiday list."""

    years: int = 0
    months: int = 0
    days: int = 0
    working_days: int = 0


class Interval(_Strict):
    """When a step may happen, measured from an earlier step (the latest of several) or the birthday."""

    key: str
    from_: str | list[str] = Field(alias="from")  # step key(s) or "birth"
    min: Span | None = None
    max: Span | None = None
    extend_by: str | None = None  # "step.field": months added by recorded steps (an extended probation)
    hard: bool = True  # hard: refused; soft: recorded with a warning and listed as overdue
    source: str = ""

    @property
    def anchors(self) -> list[str]:
        return [self.from_] if isinstance(self.from_, str) else list(self.from_)


class StepField(_Strict):
    key: str
    label: Text
    type: Literal["text", "number", "people", "choice", "file", "vote"]
    required: bool = False
    required_if: str | None = None  # required when this other field is filled (objections → resolution)
    min: int | None = None  # numbers: the value; people: how many
    max: int | None = None
    categories: list[str] = []  # people: the categories they must be in on the step's date
    # people: whose members may be named — the organization performing the step (acting), the applicant's
    # organization (branch), or the upper committee's whole subtree (upper: the branch and the committee above)
    pool: Literal["acting", "branch", "upper"] = "acting"
    choices: list[str] = []
    passes: list[str] = []  # choice values with which the step counts as passed
    warns: list[str] = []  # choice values recorded with a warning (a rule that says "normally not")
    source: str = ""


class Threshold(_Strict):
    """At least one of the alternatives holds (e.g. 3 days or 24 class hours of training)."""

    key: str
    any_of: dict[str, int]  # field -> minimum
    hard: bool = True
    source: str = ""


class Effect(_Strict):
    category: str
    on_step: str | None = None  # dated by an earlier step (admission counts from the branch meeting) …
    plus: Span | None = None  # … plus a span (confirmation: one year of probation)
    extend_by: str | None = None


class Step(_Strict):
    key: str
    number: str = ""  # the number in the regulation's list of steps
    label: Text
    by: Literal["branch", "upper"] = "branch"
    after: list[str] = []  # steps that must be recorded (and passed) first
    fields: list[StepField] = []
    intervals: list[Interval] = []
    thresholds: list[Threshold] = []
    notice: Span | None = None  # a public notice: later steps start after it ends
    repeat: int = 1  # how many times it may be recorded; 0: any number
    optional: bool = False  # the procedure may go on without it
    effect: Effect | None = None
    completes: bool = False  # recording it closes the application
    starts: bool = False  # the application itself (its date is the application date)
    source: str = ""


class Stage(_Strict):
    key: str
    label: Text
    steps: list[Step]


class VoteRule(_Strict):
    """Quorum and majority as fractions that must be exceeded, and what the majority counts on."""

    quorum: float = 0.5  # present must exceed this share of the entitled
    majority: float = 0.5  # yes votes (with written ones) must exceed this share of …
    majority_of: Literal["entitled", "present"] = "entitled"
    entitled: list[str] = []  # the categories entitled to vote
    source: str = ""


class PlanGroup(_Strict):
    """A single line of the development plan (单列计划), matched on the person's record."""

    key: str
    label: Text
    sex: str | None = None
    occupations: list[str] = []
    educations: list[str] = []
    sectors: list[str] = []  # the organization's sector
    max_age: int | None = None


class Admission(_Strict):
    upper_kinds: list[str]  # kinds whose committee pre-reviews and approves (the "upper committee")
    vote: VoteRule
    stages: list[Stage]
    plan_groups: list[PlanGroup] = []
    due_soon_days: int = 30
    note: str = ""

    @property
    def steps(self) -> list[Step]:
        return [s for stage in self.stages for s in stage.steps]

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def stage_of(self, key: str) -> Stage | None:
        return next((st for st in self.stages if any(s.key == key for s in st.steps)), None)


class TrainingForm(_Strict):
    """A form of training (集中面授, 网络培训 …); `cap`: the most hours of it counted towards a person's
    annual requirement (None: no cap)."""

    key: str
    label: Text
    cap: float | None = Field(default=None, gt=0)
    source: str = ""


class Audience(_Strict):
    """A group of people a course aims at and an hour requirement applies to, defined on the archive: the
    members of these categories, or the holders of these posts at organizations of these kinds (both
    given: either). `counts`: the audiences whose courses count as this one's training (itself always)."""

    key: str
    label: Text
    categories: list[str] = []
    posts: list[str] = []
    kinds: list[str] = []  # where the posts are held; empty: any kind
    counts: list[str] = []
    source: str = ""


class Requirement(_Strict):
    """Hours of training a year for the people of an audience; a person in several takes the highest."""

    audience: str
    hours: float = Field(gt=0)
    source: str = ""


class NewLeaders(_Strict):
    """The holders of a post new in it must be trained within `within` of taking it up, by a course of
    one of `audiences` (the audience of the new holders themselves always counts)."""

    audience: str
    within: Span
    audiences: list[str] = []
    source: str = ""


class Training(_Strict):
    """Training (培训 / 轮训): forms, audiences, annual hours, the new leaders' rule, hour conversion."""

    forms: list[TrainingForm]
    audiences: list[Audience]
    requirements: list[Requirement] = []
    new_leaders: NewLeaders | None = None
    hours_per_day: float = Field(default=8, gt=0)
    hours_per_half_day: float = Field(default=4, gt=0)
    conversion_source: str = ""
    online_form: str = "online"  # the form of courses whose hours come from a learning platform's spreadsheet
    # documents cited by training's sources, kept in this block (merged into the profile's `sources`)
    sources: dict[str, Text] = {}
    note: str = ""

    def form(self, key: str) -> TrainingForm | None:
        return next((f for f in self.forms if f.key == key), None)

    def audience(self, key: str) -> Audience | None:
        return next((a for a in self.audiences if a.key == key), None)

    def form_label(self, key: str) -> str:
        f = self.form(key)
        return pick(f.label) if f else key

    def audience_label(self, key: str) -> str:
        a = self.audience(key)
        return pick(a.label) if a else key

    def caps(self) -> dict[str, float]:
        return {f.key: f.cap for f in self.forms if f.cap is not None}

    def requirement_of(self, audiences) -> float:
        """The hours a year asked of a person in these audiences: the highest (0: none asked)."""
        return max((r.hours for r in self.requirements if r.audience in audiences), default=0)
# --- organizational life (组织生活): meeting types and the obligations to hold them ---------------------


class Quorum(_Strict):
    """A meeting counts only when more than `share` of those expected (or of those entitled to vote) are present."""

    share: float = 0.5
    of: Literal["expected", "voting"] = "expected"
    source: str = ""


class MeetingType(_Strict):
    key: str
    label: Text  # its Chinese word is the type's word in imports and the compliance document
    aliases: list[str] = []  # common spellings an import accepts (党员大会 = 支部党员大会)
    kinds: list[str]  # the kinds of organization that hold it
    attendees: Literal["members", "committee"] = "members"  # everyone of the organization, or its committee
    # a committee meeting needs a committee: at least this many holders of committee posts on the day
    min_committee: int = 0
    voting: list[str] = []  # categories that vote at it; the others attend as non-voting (probationary members)
    participants_vote: bool = False  # members who take part without belonging (一方隶属、参加多重组织生活)
    quorum: Quorum | None = None
    source: str = ""
    # what the reported figures count it as (orglife/figures.py): concentrated study (集中学习), a lecture (党课)
    counts_as: list[Literal["study", "lecture"]] = []

    @property
    def word(self) -> str:
        return self.label if isinstance(self.label, str) else (self.label.get("zh") or self.label.get("en") or self.key)

    @property
    def words(self) -> list[str]:
        return [self.word, self.key, *self.aliases]


class Obligation(_Strict):
    """How often an organization of these kinds must hold a meeting type (at least `times` per period)."""

    meeting: str
    kinds: list[str]
    frequency: Literal["monthly", "quarterly", "yearly"]
    times: int = Field(default=1, ge=1)
    needs_committee: bool = False  # applies only in periods when the organization has a committee
    source: str = ""


class Grade(_Strict):
    key: str
    label: Text


class AppraisalRule(_Strict):
    """民主评议 (member appraisal): the grades in order (best first), the cap on the top grade, who is graded."""

    grades: list[Grade]
    top_share: float | None = Field(default=None, gt=0, le=1)  # at most this share of those graded get grades[0]
    top_share_source: str = ""
    graded: list[str]  # categories that receive a grade
    ungraded: list[str] = []  # categories that take part without a grade (probationary members, in some units)
    ungraded_source: str = ""
    source: str = ""

    def grade(self, key: str) -> Grade | None:
        return next((g for g in self.grades if key in (g.key, g.label if isinstance(g.label, str) else g.label.get("zh"))), None)

    @property
    def top(self) -> Grade:
        return self.grades[0]


class OrgLife(_Strict):
    meetings: list[MeetingType]
    obligations: list[Obligation] = []
    life_meeting: str | None = None  # the meeting type whose follow-up (preparation, criticism, rectification) is kept
    appraisal: AppraisalRule | None = None
    # mobile members (away without a transfer) take part where they are but do not vote there (RULES §8)
    mobile_vote: bool = False
    late_entry_days: int = 30  # a meeting entered more than this many days after it was held is flagged
    late_entry_source: str = ""
    # optional phone sign-in by QR code (never required): how long a sign-in link stays open, in minutes
    sign_in_minutes: int = Field(120, ge=5, le=24 * 60)
    sign_in_source: str = ""
    note: str = ""

    def meeting(self, key: str) -> MeetingType | None:
        return next((m for m in self.meetings if m.key == key), None)

    def meeting_by_word(self, word: str) -> MeetingType | None:
        word = (word or "").strip()
        return next((m for m in self.meetings if word in m.words), None)

    def counted_as(self, what: str) -> list[str]:
        """The meeting types the figures count as `what` ("study": 集中学习, "lecture": 党课)."""
        return [m.key for m in self.meetings if what in m.counts_as]


class JoiningPeriod(_Strict):
    """A period of the official count of members by joining date (入党时间段), from `since` (null: the first)."""

    label: str
    since: date | None = None


class Statistics(_Strict):
    """What the statistics document counts beyond the common breakdowns (the statistics app reads it)."""

    joining_periods: list[JoiningPeriod] = []  # in order; each starts where the previous ends
    structure: bool = False  # the democratic parties' own structure: in service / retired, 中上层, titles
    mid_upper_titles: list[str] = []  # the title levels that make a member 中上层人士
    source: str = ""


# --- dues (党费 / 会费 / 社费): groups of members, the base or fixed amount each pays by --------------------


class Bracket(_Strict):
    """A rate for bases up to `up_to` (inclusive; None: any higher base). The rate applies to the whole base."""

    up_to: Decimal | None = Field(default=None, gt=0)
    rate: Decimal = Field(ge=0, lt=1)


class FixedAmount(_Strict):
    """A fixed monthly amount, or a range the member's line chooses within (`default` when none is chosen)."""

    min: Decimal = Field(ge=0)
    max: Decimal = Field(ge=0)
    default: Decimal | None = None


class DuesGroup(_Strict):
    """A group of members paying by one rule: brackets on a monthly base, or a fixed amount."""

    key: str
    label: Text
    base: Text | None = None  # what the base is, in words (月工资收入, 基本养老金): bracket groups only
    brackets: list[Bracket] = []
    fixed: FixedAmount | None = None
    source: str = ""

    def default_amount(self) -> Decimal:
        f = self.fixed
        return f.default if f.default is not None else f.min


class LargePayment(_Strict):
    """A voluntary one-off payment of `min` or more is handed up whole to `to` (not kept by the branch)."""

    min: Decimal = Field(gt=0)
    to: Text
    source: str = ""


class Dues(_Strict):
    """Dues rules: the groups, the rounding and the largest base accepted (a typo, not a pay); the ledger's
    rules: how many past months one back payment may cover, the large voluntary payment handed up whole,
    and from when a new member pays (`due_from`: "admission" = the month of the day the member was admitted,
    the start of their first member category line; "basis" = from their first dues basis only)."""

    groups: list[DuesGroup]
    back_payment_months: int | None = Field(default=None, ge=0)  # None: no limit
    large_payment: LargePayment | None = None
    due_from: Literal["admission", "basis"] = "admission"
    back_payment_source: str = ""
    rounding: Literal["half_up", "half_even", "down", "up"] = "half_up"
    places: int = Field(default=2, ge=0, le=2)  # 2: to the fen
    max_base: Decimal = Field(default=Decimal("10000000"), gt=0)
    cite: Text = ""  # how a citation names the document (2008 年党费收缴规定)
    sources: dict[str, Text] = {}
    note: str = ""

    def group(self, key: str) -> DuesGroup | None:
        return next((g for g in self.groups if g.key == key), None)


# --- transfers (组织关系转接): how long a letter holds, and how a person leaves on the paper route -------------


class Transfers(_Strict):
    """A letter moving a person's belonging holds `within_city_days` when both organizations sit under the
    same city-level organization (the ancestor at `city_depth`: 0 when the installation's roots are the
    cities), `elsewhere_days` otherwise, never over `max_days`. A person sent out of the installation by a
    paper letter leaves it by the exit `leaving_exit` (a key of `exits`) when the return slip comes back."""

    within_city_days: int = Field(gt=0)
    elsewhere_days: int = Field(gt=0)
    max_days: int = Field(gt=0)
    city_depth: int = Field(default=0, ge=0)
    leaving_exit: str
    letter_title: str  # the printed letter's title (党员组织关系介绍信)
    card: str = ""  # the mobile member's card (流动党员活动证); "" when the party issues none
    source: str = ""
    note: str = ""

# --- standing (组织生活与党费的连续性): the six-month rule, the watch list, lost contact -------------------


class ReasonKind(_Strict):
    """A good reason a branch records for a member's not taking part or not paying (请假, 患病 …)."""

    key: str
    label: Text


class LostContactRule(_Strict):
    """Lost contact (失联): after `suspend_months` the list proposes suspension (停止党籍); `remove_months` after
    the suspension, removal — an exit of kind `remove_exit`. Proposals only: the branch decides."""

    suspend_months: int = Field(ge=1)
    remove_months: int = Field(ge=1)
    remove_exit: str
    suspend_label: str = "停止党籍"  # the party's word for the suspension (停止会籍, 停止社籍)
    source: str = ""


class Standing(_Strict):
    """The continuity of a member's organizational life and dues (standing app): a watch list at
    `watch_months` months without, and a list for the branch general meeting's decision at `decide_months`
    consecutive months without good reason. `decide_on`: `either` — without life, or without dues (the CCP
    constitution's "或"); `both` — without life and without dues."""

    watch_months: int = Field(ge=1)
    decide_months: int = Field(ge=1)
    decide_on: Literal["either", "both"] = "either"
    reasons: list[ReasonKind]
    lost_contact: LostContactRule | None = None
    source: str = ""
    note: str = ""

    def reason(self, key: str) -> ReasonKind | None:
        return next((r for r in self.reasons if key in (r.key, pick(r.label), r.label if isinstance(r.label, str)
                                                       else r.label.get("zh"))), None)


class Profile(_Strict):
    key: str
    name: str
    version: str
    words: dict[str, str]
    # the documents a rule's source names, by the short name used in `source:` (细则 → 《中国共产党发展党员工作细则》)
    sources: dict[str, Text] = {}
    kinds: list[Kind]
    categories: list[Category]
    occupations: list[str] = []
    exits: list[ExitKind] = []
    posts: dict[str, list[Post]] = {}
    terms: Terms
    warnings: list[WarningRule] = []
    admission: Admission | None = None
    training: Training | None = None
    orglife: OrgLife | None = None
    statistics: Statistics = Statistics()
    dues: Dues | None = None
    transfers: Transfers | None = None
    standing: Standing | None = None

    @model_validator(mode="after")
    def _references(self):
        kinds = {k.key for k in self.kinds}
        cats = {c.key for c in self.categories}
        problems = []
        for word in ("member", "leader", "organization"):
            if word not in self.words:
                problems.append(f"words: missing '{word}'")
        for k in self.kinds:
            for parent in k.may_sit_under:
                if parent is not None and parent not in kinds:
                    problems.append(f"kinds.{k.key}.may_sit_under: unknown kind '{parent}'")
        for kind in self.posts:
            if kind not in kinds:
                problems.append(f"posts.{kind}: unknown kind")
        all_posts = {p.key for posts in self.posts.values() for p in posts}
        for kind in self.terms.by_kind:
            if kind not in kinds:
                problems.append(f"terms.by_kind.{kind}: unknown kind")
        for w in self.warnings:
            problems += [f"warnings.{w.key}.kinds: unknown kind '{k}'" for k in w.kinds if k not in kinds]
            for c in w.when:
                problems += [f"warnings.{w.key}.when: unknown category '{x}'" for x in c.categories if x not in cats]
                problems += [f"warnings.{w.key}.when: unknown post '{x}'" for x in c.posts if x not in all_posts]
        for name, values in (("kinds", [k.key for k in self.kinds]), ("categories", [c.key for c in self.categories]),
                             ("exits", [e.key for e in self.exits])):
            if len(values) != len(set(values)):
                problems.append(f"{name}: duplicate key")
        if self.admission:
            problems += self._admission_problems(kinds, cats)
        if self.training:
            problems += self._training_problems(kinds, cats, all_posts)
        if self.orglife:
            problems += self._orglife_problems(kinds, cats, all_posts)
        if self.dues:
            problems += self._dues_problems()
        if self.transfers:
            t = self.transfers
            if max(t.within_city_days, t.elsewhere_days) > t.max_days:
                problems.append("transfers: a letter's days over max_days")
            if t.leaving_exit not in {e.key for e in self.exits}:
                problems.append(f"transfers.leaving_exit: unknown exit '{t.leaving_exit}'")
        if self.standing:
            problems += self._standing_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _training_problems(self, kinds: set, cats: set, posts: set) -> list[str]:
        tr, problems = self.training, []
        audiences = [a.key for a in tr.audiences]
        for name, values in (("forms", [f.key for f in tr.forms]), ("audiences", audiences)):
            if len(values) != len(set(values)):
                problems.append(f"training.{name}: duplicate key")
        for a in tr.audiences:
            where = f"training.audiences.{a.key}"
            if not (a.categories or a.posts):
                problems.append(f"{where}: give categories or posts")
            problems += [f"{where}.categories: unknown category '{c}'" for c in a.categories if c not in cats]
            problems += [f"{where}.posts: unknown post '{p}'" for p in a.posts if p not in posts]
            problems += [f"{where}.kinds: unknown kind '{k}'" for k in a.kinds if k not in kinds]
            problems += [f"{where}.counts: unknown audience '{c}'" for c in a.counts if c not in audiences]
        if tr.form(tr.online_form) is None:
            problems.append(f"training.online_form: unknown form '{tr.online_form}'")
        problems += [f"training.requirements: unknown audience '{r.audience}'" for r in tr.requirements
                     if r.audience not in audiences]
        if tr.new_leaders:
            problems += [f"training.new_leaders: unknown audience '{a}'"
                         for a in [tr.new_leaders.audience, *tr.new_leaders.audiences] if a not in audiences]
        return problems

    def _admission_problems(self, kinds: set, cats: set) -> list[str]:
        adm, problems, seen = self.admission, [], set()
        problems += [f"admission.upper_kinds: unknown kind '{k}'" for k in adm.upper_kinds if k not in kinds]
        problems += [f"admission.vote.entitled: unknown category '{c}'" for c in adm.vote.entitled if c not in cats]
        for step in adm.steps:
            where = f"admission.steps.{step.key}"
            if step.key in seen:
                problems.append(f"{where}: duplicate key")
            field_keys = {f.key for f in step.fields}
            # a step may only refer to steps listed before it: the order is the procedure
            problems += [f"{where}.after: unknown or later step '{a}'" for a in step.after if a not in seen]
            for iv in step.intervals:
                problems += [f"{where}.intervals.{iv.key}: unknown step '{a}'" for a in iv.anchors
                             if a != "birth" and a not in seen | {step.key}]
            for ref in [iv.extend_by for iv in step.intervals] + [step.effect and step.effect.extend_by]:
                if ref and ref.split(".")[0] not in {s.key for s in adm.steps}:
                    problems.append(f"{where}: extend_by names unknown step '{ref}'")
            for t in step.thresholds:
                problems += [f"{where}.thresholds.{t.key}: unknown field '{f}'" for f in t.any_of if f not in field_keys]
            for f in step.fields:
                problems += [f"{where}.fields.{f.key}: unknown category '{c}'" for c in f.categories if c not in cats]
            if step.effect:
                if step.effect.category not in cats:
                    problems.append(f"{where}.effect: unknown category '{step.effect.category}'")
                if step.effect.on_step and step.effect.on_step not in seen:
                    problems.append(f"{where}.effect.on_step: unknown or later step '{step.effect.on_step}'")
            seen.add(step.key)
        if sum(s.starts for s in adm.steps) != 1:
            problems.append("admission: exactly one step must have 'starts: true'")
        return problems

    def _orglife_problems(self, kinds: set, cats: set, posts: set) -> list[str]:
        life, problems = self.orglife, []
        keys = [m.key for m in life.meetings]
        if len(keys) != len(set(keys)):
            problems.append("orglife.meetings: duplicate key")
        seen_words: dict[str, str] = {}
        for m in life.meetings:
            where = f"orglife.meetings.{m.key}"
            problems += [f"{where}.kinds: unknown kind '{k}'" for k in m.kinds if k not in kinds]
            problems += [f"{where}.voting: unknown category '{c}'" for c in m.voting if c not in cats]
            for w in dict.fromkeys([m.word, *m.aliases]):
                if w in seen_words and seen_words[w] != m.key:
                    problems.append(f"{where}: word '{w}' also names '{seen_words[w]}'")
                seen_words[w] = m.key
            if m.attendees == "committee" and m.min_committee < 1:
                problems.append(f"{where}.min_committee: a committee meeting needs at least 1")
        for i, o in enumerate(life.obligations):
            where = f"orglife.obligations[{i}]"
            meeting = life.meeting(o.meeting)
            if meeting is None:
                problems.append(f"{where}.meeting: unknown meeting type '{o.meeting}'")
                continue
            problems += [f"{where}.kinds: unknown kind '{k}'" for k in o.kinds if k not in kinds]
            problems += [f"{where}.kinds: '{k}' does not hold '{o.meeting}'" for k in o.kinds if k in kinds and k not in meeting.kinds]
        pairs = [(o.meeting, k) for o in life.obligations for k in o.kinds]
        if len(pairs) != len(set(pairs)):
            problems.append("orglife.obligations: a meeting type has two obligations for one kind")
        if life.life_meeting and life.meeting(life.life_meeting) is None:
            problems.append(f"orglife.life_meeting: unknown meeting type '{life.life_meeting}'")
        if life.appraisal:
            ap = life.appraisal
            grade_keys = [g.key for g in ap.grades]
            if not grade_keys or len(grade_keys) != len(set(grade_keys)):
                problems.append("orglife.appraisal.grades: empty or duplicate key")
            problems += [f"orglife.appraisal.graded: unknown category '{c}'" for c in ap.graded if c not in cats]
            problems += [f"orglife.appraisal.ungraded: unknown category '{c}'" for c in ap.ungraded if c not in cats]
            problems += [f"orglife.appraisal: category '{c}' both graded and ungraded" for c in ap.graded if c in ap.ungraded]
        return problems

    def _standing_problems(self) -> list[str]:
        st, problems = self.standing, []
        if st.watch_months > st.decide_months:
            problems.append("standing.watch_months: more than decide_months")
        keys = [r.key for r in st.reasons]
        if not keys or len(keys) != len(set(keys)):
            problems.append("standing.reasons: give at least one, each key once")
        if st.lost_contact and self.exit(st.lost_contact.remove_exit) is None:
            problems.append(f"standing.lost_contact.remove_exit: unknown exit '{st.lost_contact.remove_exit}'")
        return problems

    def _dues_problems(self) -> list[str]:
        problems = []
        keys = [g.key for g in self.dues.groups]
        if len(keys) != len(set(keys)):
            problems.append("dues.groups: duplicate key")
        for g in self.dues.groups:
            where = f"dues.groups.{g.key}"
            if bool(g.brackets) == bool(g.fixed):
                problems.append(f"{where}: give either brackets or fixed, not both or neither")
            if g.brackets:
                bounds = [b.up_to for b in g.brackets]
                if bounds[-1] is not None or None in bounds[:-1]:
                    problems.append(f"{where}.brackets: only the last bracket has no up_to")
                elif bounds[:-1] != sorted(set(bounds[:-1])):
                    problems.append(f"{where}.brackets: up_to must increase")
                rates = [b.rate for b in g.brackets]
                if rates != sorted(rates):
                    problems.append(f"{where}.brackets: rates must not decrease")
                if g.base is None:
                    problems.append(f"{where}.base: name the base")
            if g.fixed:
                f = g.fixed
                if f.min > f.max:
                    problems.append(f"{where}.fixed: min over max")
                if f.default is not None and not f.min <= f.default <= f.max:
                    problems.append(f"{where}.fixed.default: outside min–max")
        return problems

    # --- lookups used by the engines -------------------------------------------------
    def kind(self, key: str) -> Kind | None:
        return next((k for k in self.kinds if k.key == key), None)

    def kind_by_label(self, label: str) -> Kind | None:
        return next((k for k in self.kinds if label in (k.label, k.key)), None)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def category_by_label(self, label: str) -> Category | None:
        return next((c for c in self.categories if label in (c.label, c.key)), None)

    def exit(self, key: str) -> ExitKind | None:
        return next((e for e in self.exits if e.key == key), None)

    def exit_by_label(self, label: str) -> ExitKind | None:
        return next((e for e in self.exits if label in (e.label, e.key)), None)

    def exit_label(self, key: str) -> str:
        e = self.exit(key)
        return e.label if e else key

    def kind_label(self, key: str) -> str:
        k = self.kind(key)
        return k.label if k else key

    def category_label(self, key: str) -> str:
        c = self.category(key)
        return c.label if c else key

    def posts_for(self, kind: str) -> list[Post]:
        return self.posts.get(kind, [])

    def post_label(self, kind: str, key: str) -> str:
        return next((p.label for p in self.posts_for(kind) if p.key == key), key)

    def term_years(self, kind: str, sector: str = "") -> int:
        if sector in self.terms.by_sector:
            return self.terms.by_sector[sector]
        return self.terms.by_kind.get(kind, self.terms.default_years)

    @property
    def all_sources(self) -> dict:
        """The documents a source may name: the profile's and those its blocks bring (training)."""
        return {**self.sources, **(self.training.sources if self.training else {}), **(self.dues.sources if self.dues else {})}

    def word(self, key: str) -> str:
        return self.words.get(key, key)

    def cite(self, *parts: str) -> str:
        """How a decision names the rule it applied: profile@version / part … (the full citation)."""
        return " / ".join([f"{self.key}@{self.version}", *(p for p in parts if p)])

    def reference(self, text: str) -> str:
        """A source in words for a reader: '细则 §23 [firm]' → '《中国共产党发展党员工作细则》第二十三条'.

        The last document named in the text is the most specific one (a bound's source follows the step's)."""
        from django.utils.translation import gettext as _

        plain = _MARK.sub("", text)
        found = None
        sources = self.all_sources
        for short in sorted(sources, key=len, reverse=True):
            at = plain.rfind(short)
            if at >= 0 and (found is None or at > found[0]):
                found = (at, short)
        if found is None:
            return _("%(p)s的有关规定") % {"p": self.name}
        at, short = found
        title = pick(sources[short])
        article = _article(plain[at + len(short):])
        if not article:
            return _("《%(t)s》") % {"t": title}
        return _("《%(t)s》%(a)s") % {"t": title, "a": article}


_MARK = re.compile(r"\[(?:firm|local|verify)\]")
_ART = re.compile(r"\s*(?:§\s*(\d+)(?:\s*[–-]\s*(\d+))?|第([一二三四五六七八九十百零]+)条)")
_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """23 → 二十三 (up to 999)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    return _DIGITS[n // 100] + "百" + ("" if not rest else ("零" + _cn(rest) if rest < 10 else
                                                             ("一" + _cn(rest) if rest < 20 else _cn(rest))))


def _from_cn(text: str) -> int:
    """二十三 → 23 (up to 999)."""
    total, digit = 0, 0
    for ch in text:
        if ch in ("百", "十"):
            total += (digit or 1) * (100 if ch == "百" else 10)
            digit = 0
        else:
            digit = _DIGITS.index(ch)
    return total + digit


def _article(text: str) -> str:
    from django.utils.translation import gettext as _

    m = _ART.match(text)
    if not m:
        return ""
    if m.group(3):
        first, last = _from_cn(m.group(3)), None
    else:
        first, last = int(m.group(1)), m.group(2) and int(m.group(2))
    if last:
        return _("第%(a)s条至第%(b)s条") % {"a": _cn(first), "b": _cn(last), "x": first, "y": last}
    return _("第%(a)s条") % {"a": _cn(first), "x": first}


_CITE = re.compile(r"\s*([\w-]+)@\S+")


def reference(cite: str) -> str:
    """A full citation ('ccp@2026.1 / admission / … 细则 §23 [firm]') as a reader's reference, with '依据：'."""
    from django.utils.translation import gettext as _

    if not cite:
        return ""
    m = _CITE.match(cite)
    rules = registry().get(m.group(1)) if m else None
    if rules is None:
        return _("依据：%(r)s") % {"r": _MARK.sub("", cite).strip()}
    return _("依据：%(r)s") % {"r": rules.reference(cite[m.end():])}


class Registry(dict):
    def get_or_404(self, key: str) -> Profile:
        if key not in self:
            raise KeyError(key)
        return self[key]


def profile_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("JICENG_PROFILE_DIRS", "").split(os.pathsep) if p]
    return [PROFILE_DIR, *extra]


def load_file(path: Path) -> Profile:
    """Load one profile; any problem raises ImproperlyConfigured naming the file and key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ImproperlyConfigured(f"组织体系文件 {path.name} 不是有效的 YAML / profile {path.name} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f"组织体系文件 {path.name} 应为键值映射 / profile {path.name} must be a mapping")
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"  键 key '{key}': {err['msg']}")
        raise ImproperlyConfigured(f"组织体系文件 {path.name} 有误 / profile {path.name} is invalid:\n" + "\n".join(lines)) from None
    if profile.key != path.stem:
        raise ImproperlyConfigured(
            f"组织体系文件 {path.name}: 键 key 'key' 为 '{profile.key}'，应与文件名 '{path.stem}' 一致 / must match the file name"
        )
    return profile


@lru_cache(maxsize=1)
def registry() -> Registry:
    reg = Registry()
    for folder in profile_dirs():
        for path in sorted(folder.glob("*.yaml")):
            reg[path.stem] = load_file(path)
    if not reg:
        raise ImproperlyConfigured("没有找到任何组织体系文件 / no profile files found")
    return reg


def get(key: str) -> Profile:
    try:
        return registry()[key]
    except KeyError:
        raise KeyError(f"unknown profile '{key}'") from None


def choices() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in registry().values()]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


__all__ = ["Profile", "registry", "get", "choices", "load_file", "pick", "age_on", "reference"]
