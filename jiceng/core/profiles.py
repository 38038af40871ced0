"""Organization profiles: one YAML file per organization system (CCP, 民进, 九三学社 …).

The file is the regulation; this module only loads and checks it. Every
engine asks the profile, never an `if` on a party's name.
"""
from __future__ import annotations

import os
from datetime import date
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


class Profile(_Strict):
    key: str
    name: str
    version: str
    words: dict[str, str]
    kinds: list[Kind]
    categories: list[Category]
    occupations: list[str] = []
    posts: dict[str, list[Post]] = {}
    terms: Terms
    warnings: list[WarningRule] = []

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
        for kind, posts in self.posts.items():
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
        for name, values in (("kinds", [k.key for k in self.kinds]), ("categories", [c.key for c in self.categories])):
            if len(values) != len(set(values)):
                problems.append(f"{name}: duplicate key")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- lookups used by the engines -------------------------------------------------
    def kind(self, key: str) -> Kind | None:
        return next((k for k in self.kinds if k.key == key), None)

    def kind_by_label(self, label: str) -> Kind | None:
        return next((k for k in self.kinds if label in (k.label, k.key)), None)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def category_by_label(self, label: str) -> Category | None:
        return next((c for c in self.categories if label in (c.label, c.key)), None)

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

    def word(self, key: str) -> str:
        return self.words.get(key, key)

    def cite(self, *parts: str) -> str:
        """How a decision names the rule it applied: profile@version / part …"""
        return " / ".join([f"{self.key}@{self.version}", *parts])


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


__all__ = ["Profile", "registry", "get", "choices", "load_file", "pick", "age_on"]
