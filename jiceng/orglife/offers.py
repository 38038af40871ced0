"""What the organizational-life app offers core's pages, imports and commands (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry
from jiceng.core.scoping import CHANGE, scope_of


def register() -> None:
    registry.register_nav_group("orglife", _("组织生活"), 35)
    registry.register_navigation("meeting_list", _("会议记录"), 35, group="orglife")
    registry.register_cli_command(
        "orglife", "组织生活：会议列表、记录会议、落实情况 / organizational life: meetings, record, compliance", 70)
    registry.register_export_subject("meetings", _("会议记录"))
    registry.register_export_subject("meeting_attachment", _("下载会议附件"))
    _register_sheet()
    from . import demo, rollups

    registry.register_rollup(rollups.MeetingRollup())

    registry.register_demo_step("meetings", demo.build, order=50)
    _register_change_texts()
    # the organization page: record a meeting there, and its compliance calendar
    registry.register_action("org", "meeting-add", _("记录会议"), lambda org: f"{reverse('meeting_add')}?org={org.pk}",
                             lambda request, org: org.active and _holds_meetings(org)
                             and scope_of(request.user).covers(org.path, CHANGE), order=40)
    registry.register_panel("org", "orglife", "orglife/_org_panel.html", _org_panel, order=40)
    registry.register_panel("member", "attendance", "orglife/_member_attendance.html", _member_attendance, order=60)
    _register_review()
    _register_appraisal()
    _register_figures()


def _register_review() -> None:
    """The upper level's review and the record check (review.py, similarity.py, review_views.py)."""
    from django.db.models.signals import post_save

    from . import review_views, similarity
    from .models import Meeting

    post_save.connect(similarity.on_save, sender=Meeting, dispatch_uid="orglife-minutes-similarity")
    registry.register_navigation("meeting_review_queue", _("会议审核"), 36, action="change", group="orglife")
    registry.register_navigation("orglife_checks", _("记录核查"), 37, group="orglife")
    registry.register_navigation("appraisal_list", _("民主评议"), 38, group="orglife")
    registry.register_panel("meeting", "review", "orglife/_meeting_review.html", review_views.meeting_panel, order=10)
    registry.register_panel("home", "returned", "orglife/_home_returned.html", review_views.home_returned, order=15)


def _holds_meetings(org) -> bool:
    life = org.rules.orglife
    return bool(life and any(org.kind in m.kinds for m in life.meetings))


def _org_panel(request, org):
    """The organization page: this year's compliance at a glance, linking to the calendar and the subtree."""
    from . import compliance

    has_children = org.children.exists()
    if not _holds_meetings(org) and not has_children:
        return None
    year = compliance.default_as_of(9999).year
    doc = compliance.compliance(request.user, org, year, subtree=False)  # the subtree has its own page
    own = next((o for o in doc["organizations"] if o["code"] == org.code), None)
    return {"org": org, "year": year, "summary": doc["summary"], "own": own,
            "rows": compliance.calendar(own, org.rules) if own else [], "has_children": has_children,
            "months": compliance.MONTHS}


def _member_attendance(request, member):
    """A person's own attendance record (the member page, which the member role sees for themselves)."""
    from .models import Attendance

    lines = list(Attendance.objects.filter(member=member).restrict(request.user)
                 .select_related("meeting", "meeting__org").order_by("-meeting__held_on")[:20])
    scope = scope_of(request.user)
    return {"lines": [(a, scope.covers(a.meeting.org_path)) for a in lines]} if lines else None


def _register_sheet() -> None:
    from .filtersets import MeetingFilterSet
    from .imports import MeetingImporter, meeting_columns, meeting_example, meeting_rows

    registry.register_sheet(
        "meetings", label=_("会议"), template_title=_("会议导入模板"), name_en="meetings", filterset=MeetingFilterSet,
        columns=meeting_columns, example=meeting_example, rows=meeting_rows,
        importer=lambda user, rules=None: MeetingImporter(user, rules), by_profile=True, order=30)


def _register_change_texts() -> None:
    from jiceng.core.i18n import pick
    from jiceng.orgs.offers import rules_of_record

    from .models import Meeting

    def meeting_type(value, record):
        rules = rules_of_record(record)
        found = rules and rules.orglife and rules.orglife.meeting(value)
        return pick(found.label) if found else None

    registry.register_value_text(Meeting, "type", meeting_type)


# ----------------------------------------------------------------------------------- appraisal and life meeting

def _register_appraisal() -> None:
    """民主评议 and the life meeting's follow-up: the member's grades, overdue rectification items on the home page,
    the organization page's button."""
    from . import appraisal_demo
    from .models import AppraisalEntry

    registry.register_demo_step("appraisals", appraisal_demo.build, order=55)  # after the meetings (50)
    registry.register_panel("member", "grades", "orglife/_member_grades.html", _member_grades, order=61)
    registry.register_panel("home", "rectifications", "orglife/_home_rectifications.html", _home_rectifications,
                            order=35)
    registry.register_action("org", "appraisal-add", _("登记民主评议"),
                             lambda org: f"{reverse('appraisal_add')}?org={org.pk}",
                             lambda request, org: org.active and org.holds_members and _appraises(org)
                             and scope_of(request.user).covers(org.path, CHANGE), order=41)
    registry.register_export_subject("appraisals", _("民主评议"))

    def grade_text(value, record):
        from jiceng.core.i18n import pick

        entry = AppraisalEntry.objects.filter(pk=record.object_id).select_related("appraisal__org").first()
        rule = entry and entry.appraisal.org.rules.orglife and entry.appraisal.org.rules.orglife.appraisal
        found = rule.grade(value) if rule and value else None
        return pick(found.label) if found else None

    registry.register_value_text(AppraisalEntry, "grade", grade_text)


def _appraises(org) -> bool:
    life = org.rules.orglife
    return bool(life and life.appraisal)


def _member_grades(request, member):
    """A person's appraisal grades, year by year."""
    from .models import AppraisalEntry

    lines = list(AppraisalEntry.objects.filter(member=member).restrict(request.user)
                 .select_related("appraisal", "appraisal__org").order_by("-year")[:20])
    scope = scope_of(request.user)
    return {"lines": [(e, scope.covers(e.appraisal.org_path)) for e in lines]} if lines else None


def _home_rectifications(request, obj=None):
    """Rectification items of life meetings past their deadline and not done, for those who follow them up."""
    from .appraisal import overdue

    if not scope_of(request.user).holds(CHANGE):
        return None
    items = overdue(request.user)
    count = items.count()
    return {"count": count, "items": list(items[:10])} if count else None


# ----------------------------------------------------------------------------------- figures (figures.py)

def _register_figures() -> None:
    """The figures page (meetings, study, lectures, attendance, appraisal grades of a subtree and period): in the
    menu, and a button on the organization page. Other apps add their figures as panels of the page "figures"."""
    registry.register_navigation("orglife_figures", _("工作数字"), 39, group="orglife")
    registry.register_action("org", "org-figures", _("工作数字"),
                             lambda org: f"{reverse('orglife_figures')}?org={org.pk}&children=1",
                             lambda request, org: _holds_meetings(org) or org.children.exists(), order=45)
