"""What the apps offer core, registered from each app's `AppConfig.ready()`: core imports no app.

`path_copies`: models that copy an organization's path into a column of their own so a subtree is one
index range on their table. The copy is what scoping reads, so it must follow the tree: every move of an
organization rewrites the copies of its whole subtree in the same transaction (`orgs.services`), and a merge
hands the rows a copy declares to the surviving organization.

`category_holds`: functions (member) -> reason or None from apps whose open records make a member's
category theirs to move (an open admission application): while one answers, no correction is allowed.

`sheets`: lists imported and exported as sheets (the import wizard, API, jobs, `jiceng import|export`), and
printed as rosters (花名册, `core.roster`) where a sheet declares its `roster`.
`job_kinds`: the long tasks the job queue (`core.jobs`) runs, each in a process of its own; core registers the import.
`navigation`: the navbar's links, `nav_groups` its menus. `panels`: parts of a page offered by apps its own app does not know
(the home, organization and member pages). `headcount`, `merge_steps`: what the tree asks of the app that
keeps the people; `people`: how the people pickers find and show a person. `url_modules`: the apps whose `urls.py` the project's routes include.
`cli_commands`: what `jiceng --help` lists. `demo_builders`: what `jiceng setup` builds on an empty database;
`demo_steps`: what the apps add to that demo once its organizations and people exist.
`export_subjects`: what an export record (`core.exports.log_personal_data`) may say was taken out or shown.
`search_sources`: what the site-wide search finds (people, organizations), each within the user's scope.
`rollups`: counts kept current from the change log (`core.rollups`), read by pages over a subtree.
`person_facts`: lines about a person one app knows and another prints (on a letter, a page) without reading it.
Each register function may run twice (ready() does in tests and commands) and leaves one entry.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from .rollups import Kept


@dataclass(frozen=True)
class PathCopy:
    model: type[models.Model]
    path_field: str = "org_path"
    org_field: str | None = "org"  # the organization whose path is copied (None: a log row that only keeps it)
    # rows of a merged organization that go on under the surviving one (filter keywords); None: they stay
    follow_merge: dict | None = field(default=None, hash=False)


path_copies: list[PathCopy] = []


def register_path_copy(model, **options) -> None:
    if any(c.model is model for c in path_copies):
        return  # ready() may run twice (tests, management commands)
    path_copies.append(PathCopy(model, **options))


# dated lines that keep a path as it stood on their dates (the tree's as-of views): a move closes them and
# opens the next, so they never follow it. Every path column is one or the other (a test checks).
path_history: set[tuple[type[models.Model], str]] = set()


def register_path_history(model, path_field: str = "path") -> None:
    path_history.add((model, path_field))


category_holds: list[Callable] = []


def register_category_hold(check: Callable) -> None:
    if check not in category_holds:
        category_holds.append(check)


# --------------------------------------------------------------- what the pages, jobs and commands of core offer

@dataclass(frozen=True)
class Sheet:
    """A list that is imported and exported as a sheet; `key` is its word in URLs, jobs and commands."""

    key: str
    label: str  # what the upload form and the job list call it
    template_title: str  # the blank template's sheet title
    name_en: str  # "organizations": the commands' help
    filterset: type  # the list's filters (the web's, the API's and the CLI's), then `restrict()`
    columns: Callable  # (rules | None) -> the columns of import and export; a profile's rules narrow the choices
    example: Callable  # () -> the blank template's example row
    rows: Callable  # (queryset, user) -> the export's rows, in the import format
    importer: Callable  # (user, rules | None) -> the importer `core.imports.run_import` runs (web, API, CLI, job)
    id_numbers: bool = False  # its export shows whole ID numbers to the roles that may see them (logged so)
    by_profile: bool = False  # its columns' choices differ by profile: one blank template per profile
    order: int = 100  # the upload form offers the first one by default
    # (filterset, queryset, user, as_of) -> core.roster.Roster: the list as a printable roster (花名册), or None
    roster: Callable | None = None
    # (user) -> what the upload form and the blank templates call it for this user (党费交纳记录, 会费交纳记录):
    # the party's own word where `label` (the job list's, one for all) would be another party's
    label_for: Callable | None = None

    def label_of(self, user) -> str:
        return str(self.label_for(user) if self.label_for and user is not None else self.label)

    def title_of(self, user) -> str:
        """The blank template's title in the user's party's word (会费交纳记录导入模板) where the label has one."""
        if self.label_for and user is not None:
            from django.utils.translation import gettext as _

            return _("%(label)s导入模板") % {"label": self.label_of(user)}
        return str(self.template_title)


sheets: dict[str, Sheet] = {}


def register_sheet(key: str, **options) -> None:
    sheets[key] = Sheet(key, **options)  # a second ready() replaces it: one entry a key


def sheet_list() -> list[Sheet]:
    return sorted(sheets.values(), key=lambda k: k.order)


def sheet_choices() -> list[tuple[str, str]]:
    """`Job.sheet`'s choices, read when asked (a callable: the migration names it, never the apps)."""
    return [(k.key, k.label) for k in sheet_list()]


@dataclass(frozen=True)
class JobKind:
    """A long task run by the job queue (`core.jobs`): `key` is what `Job.task` holds.

    run(job, report, cancelled) runs in the job's own process and answers the job's end as fields of its
    row ({"result": {...}}; a "status" other than "done", a "batch_id"). report(phase, done, total=None, ...)
    says how far it is (a file the pages read); cancelled() is true once a cancel was asked for: the task
    then raises `core.jobs.Cancelled` at its next step, rolling back what it wrote. `confirm`: the task
    runs twice, a check (`Job.CHECK`, writes nothing) then, once the user confirms it, the write
    (`Job.WRITE`); `writes`: a one-phase task writes. A writing run waits while another one writes."""

    key: str
    label: str
    run: Callable
    confirm: bool = False
    writes: bool = False
    output: Callable | None = None  # (job) -> (path, download name) of the file it produced, or None


job_kinds: dict[str, JobKind] = {}


def register_job_kind(key: str, label: str, run: Callable, confirm: bool = False, writes: bool = False,
                      output: Callable | None = None) -> None:
    job_kinds[key] = JobKind(key, label, run, confirm, writes, output)  # a second ready() replaces it: one entry a key


def job_kind_choices() -> list[tuple[str, str]]:
    """`Job.task`'s choices, read when asked like `sheet_choices`."""
    return [(k.key, k.label) for k in job_kinds.values()]


# key -> label of what left the system or was shown in full (a list, a dossier, an attachment, a whole ID number)
export_subjects: dict[str, str] = {}


def register_export_subject(key: str, label: str) -> None:
    export_subjects[key] = label


def export_subject_choices() -> list[tuple[str, str]]:
    """`ExportRecord.subject`'s choices, read when asked like `sheet_choices`."""
    return list(export_subjects.items())


@dataclass(frozen=True)
class NavEntry:
    """A link of the base template's navbar (`core.context_processors.navigation`).

    It is shown only to a user who may use the page it leads to: one who holds `action` (view, change,
    structure: `core.scoping`) somewhere in the tree, or a superuser, and for whom `visible(user)` answers
    true. `action=None` with no `visible`: every signed-in user (a page about the user themselves)."""

    url_name: str
    label: str | Callable  # or (user) -> str: a word that depends on the user's party (党费 / 会费 / 社费)
    order: int  # place from left to right, across the apps
    visible: Callable | None = None  # (user) -> bool, asked after the action
    action: str | None = "view"  # what the user must hold somewhere (core.scoping.VIEW/CHANGE/STRUCTURE)
    group: str = ""  # the menu it sits in (register_nav_group); "" on the bar itself


@dataclass(frozen=True)
class NavGroup:
    """A menu of the navbar holding an app's related pages (发展: the applications, the pipeline). Shown
    with the entries the user may use: as a menu when there are several, as the one link otherwise."""

    key: str
    label: str
    order: int
    entries: tuple = ()


navigation: dict[str, NavEntry] = {}
nav_groups: dict[str, NavGroup] = {}


def register_navigation(url_name: str, label: str, order: int, visible: Callable | None = None,
                        action: str | None = "view", group: str = "") -> None:
    navigation[url_name] = NavEntry(url_name, label, order, visible, action, group)


def register_nav_group(key: str, label: str, order: int) -> None:
    nav_groups[key] = NavGroup(key, label, order)


def shown_to(entry: NavEntry, user) -> bool:
    from .scoping import scope_of

    if entry.action is not None and not scope_of(user).holds(entry.action):
        return False
    return entry.visible is None or bool(entry.visible(user))


def navigation_for(user) -> list:
    """The navbar from left to right: entries, and groups (NavGroup with the entries shown to the user)."""
    shown = [replace(e, label=e.label(user)) if callable(e.label) else e
             for e in sorted(navigation.values(), key=lambda e: e.order) if shown_to(e, user)]
    items: list = [e for e in shown if e.group not in nav_groups]
    for group in nav_groups.values():
        entries = tuple(e for e in shown if e.group == group.key)
        if len(entries) == 1:
            items.append(entries[0])
        elif entries:
            items.append(NavGroup(group.key, group.label, group.order, entries))
    return sorted(items, key=lambda item: item.order)


@dataclass(frozen=True)
class Panel:
    """A part of a page, offered by an app that the page's own app does not know (the organization page
    shows the members app's buttons and the admission app's figures): `template` is included with
    `panel` = context(request, obj); a context that answers None leaves the panel out (nothing to show, or
    not for this user). `slot` is where on the page: "actions" (the row of buttons) or "main" (a section).
    `lazy`: a panel that reads a whole subtree (a ledger, coverage) comes after the page, fetched by the
    browser from its own address (`core.views.LazyPanelView`), so the page itself never waits for it."""

    name: str
    template: str
    context: Callable  # (request, obj) -> dict | None; obj is None on pages about no one object (home)
    order: int = 100
    slot: str = "main"
    lazy: bool = False


# page ("home", "org", "member") -> its panels
panels: dict[str, dict[str, Panel]] = {}


def register_panel(page: str, name: str, template: str, context: Callable, order: int = 100, slot: str = "main",
                   lazy: bool = False) -> None:
    panels.setdefault(page, {})[name] = Panel(name, template, context, order, slot, lazy)


def panels_for(page: str, request, obj=None) -> dict[str, list[tuple[str, dict]]]:
    """slot -> [(template, context)] of the panels that have something to show, in order (a lazy one: a
    placeholder that fetches it)."""
    from django.urls import reverse

    out: dict[str, list[tuple[str, dict]]] = {}
    for panel in sorted(panels.get(page, {}).values(), key=lambda p: p.order):
        if panel.lazy and obj is not None:
            out.setdefault(panel.slot, []).append(
                ("core/_lazy_panel.html", {"url": reverse("lazy_panel", args=[page, panel.name, obj.pk])}))
            continue
        context = panel.context(request, obj)
        if context is not None:
            out.setdefault(panel.slot, []).append((panel.template, context))
    return out


def register_action(page: str, name: str, label, url: Callable, visible: Callable, order: int = 100,
                    danger: bool = False) -> None:
    """A button among a page's actions, offered by another app: `url(obj)` where it leads, shown when
    `visible(request, obj)`; `name` is also its HTML id."""
    def context(request, obj):
        return {"id": name, "label": label, "href": url(obj), "danger": danger} if visible(request, obj) else None

    register_panel(page, name, "core/_action.html", context, order, slot="actions")


@dataclass(frozen=True)
class Headcount:
    """How many people an organization holds, by category, from the app that keeps the people (members):
    the tree's warnings, pages and commands count without reading that app."""

    by_org: Callable  # (org_ids) -> {org_id: {category: n}}, today
    by_org_as_of: Callable  # (org_ids, day) -> the same, as the dated lines stood at the end of `day`
    in_subtree: Callable  # (path) -> {category: n} in the subtree, today
    totals_in_subtrees: Callable = staticmethod(lambda paths: {})  # (paths) -> {path: people in its subtree}, today
    # (org) -> ({category: n} of its own, {category: n} in its subtree), today: one read for a page that shows both
    of_org: Callable = staticmethod(lambda org: ({}, {}))


headcounts: list[Headcount] = []


def register_headcount(**functions) -> None:
    headcounts[:] = [Headcount(**functions)]  # one app keeps the people


def headcount() -> Headcount:
    """The registered counts, or zeros when no app keeps people (core and orgs alone)."""
    return headcounts[0] if headcounts else Headcount(lambda ids: {}, lambda ids, day: {}, lambda path: {})


@dataclass(frozen=True)
class People:
    """How the people pickers (`core.people`) find and show a person, from the app that keeps people:
    `match(qs, q)` narrows a queryset to those matching what was typed, `label(person)` tells a person
    apart from a namesake, `prepare(qs)` loads what `label` reads (one query per page, not per row)."""

    match: Callable
    label: Callable
    prepare: Callable = lambda qs: qs


people_sources: list[People] = []


def register_people(**functions) -> None:
    people_sources[:] = [People(**functions)]  # one app keeps the people


def people() -> People:
    return people_sources[0] if people_sources else People(lambda qs, q: qs.none() if q else qs, str)


# functions (user, org, into, on, note) run by a merge before the merged organization is dissolved: each app
# carries over what its rows need more than a new path for (members: a dated transfer of each person)
merge_steps: list[Callable] = []


def register_merge_step(step: Callable) -> None:
    if step not in merge_steps:
        merge_steps.append(step)


@dataclass(frozen=True)
class PersonFact:
    """One line about a person that an app knows and others print without reading that app (a letter, a
    page): `fact(person)` answers (label, text), or None when it has nothing to say of this person."""

    key: str
    fact: Callable
    order: int = 100


person_facts: dict[str, PersonFact] = {}


def register_person_fact(key: str, fact: Callable, order: int = 100) -> None:
    person_facts[key] = PersonFact(key, fact, order)


def facts_of(person) -> list[tuple[str, str]]:
    """The (label, text) lines every app that registered a fact has about `person`, in order."""
    out = []
    for entry in sorted(person_facts.values(), key=lambda f: f.order):
        found = entry.fact(person)
        if found is not None:
            out.append((str(found[0]), str(found[1])))
    return out


@dataclass(frozen=True)
class CliCommand:
    """A command listed by `jiceng --help`; Django finds the command itself in the app's `management/commands/`."""

    name: str  # as typed after `jiceng` (a subcommand included: "bench tree")
    help: str  # one line, 中文 / English
    order: int = 100


cli_commands: dict[str, CliCommand] = {}


def register_cli_command(name: str, help: str, order: int = 100) -> None:
    cli_commands[name] = CliCommand(name, help, order)


@dataclass(frozen=True)
class DemoBuilder:
    """What `jiceng setup` builds on an empty database and `jiceng serve` prints."""

    name: str
    present: Callable  # () -> bool: the database holds data already, so setup leaves it as it is
    build: Callable  # () -> None: build the demo and print what was built with the logins
    logins: Callable = staticmethod(lambda: "")  # () -> str: the table of demo accounts ("" for none)
    hint: Callable = staticmethod(lambda: "")  # () -> str: one line on how to sign in ("" for none)


demo_builders: dict[str, DemoBuilder] = {}


def register_demo_builder(name: str, **options) -> None:
    demo_builders[name] = DemoBuilder(name, **options)


def demo_builder_list() -> list[DemoBuilder]:
    return list(demo_builders.values())


@dataclass(frozen=True)
class DemoStep:
    """What an app adds to the demo once its organizations and people exist (a year of meetings, trainings):
    `build(rng)` writes through the app's services as the platform (SYSTEM) and answers a summary for the
    demo's batch. The demo runs the steps in `order`, after its own people, so no demo names the apps."""

    name: str
    build: Callable  # (random.Random) -> dict | int: what was built
    order: int = 100


demo_steps: dict[str, DemoStep] = {}


def register_demo_step(name: str, build: Callable, order: int = 100) -> None:
    demo_steps[name] = DemoStep(name, build, order)


def demo_step_list() -> list[DemoStep]:
    return sorted(demo_steps.values(), key=lambda s: s.order)


@dataclass(frozen=True)
class SearchHit:
    """One thing the site-wide search found: what it is called, a line about it and where its page is."""

    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class SearchSource:
    """What the site-wide search (`core.views.SearchView`, the navbar's box) asks an app: `find(user, q, limit)`
    answers the app's records matching `q` within the user's scope (`restrict()`: out of scope is absent),
    at most `limit` of them, as `SearchHit`s."""

    name: str
    label: str
    find: Callable
    order: int = 100


search_sources: dict[str, SearchSource] = {}


def register_search(name: str, label: str, find: Callable, order: int = 100) -> None:
    search_sources[name] = SearchSource(name, label, find, order)


def search_source_list() -> list[SearchSource]:
    return sorted(search_sources.values(), key=lambda s: s.order)


# (model label "app.Model", attname) -> text(value, record): a coded value in words for the change log
# (`core.changes.describe`), from the app that owns the model; and labels of keys no field names
value_texts: dict[tuple[str, str], Callable] = {}
value_labels: dict[tuple[str, str], str] = {}


def register_value_text(model, field: str, text: Callable, label=None) -> None:
    """`text(value, record)` says a coded value of `model.field` (its attname) in words (record: the
    ChangeRecord); `label` names a field the model leaves unnamed (an encrypted column), or a key a record
    carries that is no field (a move's counts)."""
    value_texts[(model._meta.label, field)] = text
    if label is not None:
        value_labels[(model._meta.label, field)] = label


# counts kept current from the change log (`core.rollups.Kept`): one instance of each kind
rollups: list[Kept] = []


def register_rollup(rollup: Kept) -> None:
    if any(type(r) is type(rollup) for r in rollups):
        return
    rollups.append(rollup)
    _rollups_by_model.clear()


_rollups_by_model: dict = {}


def rollups_by_model() -> dict:
    """model -> [(roll-up, "source" | "tree")]: the roll-ups that count that model's rows, and those whose
    subtree totals follow that model's tree (read on every logged write). Keyed by model, not by content type
    id: a flush of the database (transactional tests) gives the content types new ids."""
    if rollups and not _rollups_by_model:
        for rollup in rollups:
            for model, role in rollup.watched():
                _rollups_by_model.setdefault(model, []).append((rollup, role))
    return _rollups_by_model
