from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from jiceng.core.exports import log_personal_data
from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.core.params import choice_param, id_param, int_param
from jiceng.core.scoping import CHANGE
from jiceng.core.views import ObjectActionView, ObjectListView, ObjectView, ScopedView, scoped_object
from jiceng.orgs.models import Org, rules_in_scope

from . import compliance, forms, services
from .filtersets import MeetingFilterSet
from .models import Attendance, Meeting


class MeetingListView(ObjectListView):
    filterset, template_name = MeetingFilterSet, "orglife/meeting_list.html"

    def get_queryset(self, qs):
        return qs.select_related("org")

    def get_extra_context(self, page):
        """The type filter offers the meeting types of the profiles in the user's scope, in their words."""
        words = {}
        for rules in rules_in_scope(self.request.user):
            for m in (rules.orglife.meetings if rules.orglife else ()):
                words.setdefault(m.key, pick(m.label))
        return {"types": list(words.items())}


class MeetingDetailView(ObjectView):
    model, template_name, context_name = Meeting, "orglife/meeting_detail.html", "meeting"
    page = "meeting"  # other modules' panels: the review and the similarity check (review_views.py)

    def get_queryset(self):
        return super().get_queryset().select_related("org", "host", "recorder")

    def get_extra_context(self, meeting, as_of):
        lines = list(meeting.attendance.select_related("member").order_by("status", "member__name"))
        mtype = meeting.meeting_type
        cite = meeting.rules.cite("orglife", mtype.source) if mtype and mtype.source else ""
        return {"lines": lines, "mtype": mtype, "cite": cite, "attachments": list(meeting.attachments.all())}


class MeetingFormMixin:
    form_class, template_name = forms.MeetingForm, "orglife/meeting_form.html"

    def get_form(self, org, *args):
        return forms.MeetingForm(self.org_of(org), *args, **self.form_kwargs(org))

    def get(self, request, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj) if not request.GET.get("type") else forms.MeetingForm(
            self.org_of(obj), initial={**self.form_kwargs(obj).get("initial", {}), **request.GET.dict()})
        if request.GET.get("part") == "people":  # htmx: the expected list for the type and day chosen
            return render(request, "orglife/_people.html", {"form": form})
        return self.render_form(obj, form)


class MeetingAddView(MeetingFormMixin, ObjectActionView):
    title = _("记录会议")

    def get_object(self):  # the organization that held it: ?org=
        return scoped_object(Org, self.request.user, id_param(self.request, "org") or 0, CHANGE)

    @staticmethod
    def org_of(org):
        return org

    def form_kwargs(self, org):
        return {"initial": {"held_on": today()}}

    def perform(self, org, data):
        return services.record_meeting(self.request.user, org, **self.form.service_values())


class MeetingEditView(MeetingFormMixin, ObjectActionView):
    model, title = Meeting, _("更正会议记录")

    @staticmethod
    def org_of(meeting):
        return meeting.org

    def form_kwargs(self, meeting):
        lines = list(meeting.attendance.all())
        initial = {"type": meeting.type, "held_on": meeting.held_on, "start_time": meeting.start_time,
                   "place": meeting.place, "topic": meeting.topic, "host": meeting.host_id,
                   "recorder": meeting.recorder_id, "agenda": meeting.agenda, "minutes": meeting.minutes,
                   "decisions": meeting.decisions,
                   "present": [a.member_id for a in lines if a.status == Attendance.PRESENT],
                   "on_leave": [a.member_id for a in lines if a.status == Attendance.LEAVE]}
        initial.update({f"reason_{a.member_id}": a.reason for a in lines if a.reason})
        return {"initial": initial}

    def perform(self, meeting, data):
        return services.correct_meeting(self.request.user, meeting, **self.form.service_values())


def _year(request) -> int:
    return int_param(request, "year", default=today().year, minimum=1949, maximum=today().year + 1)


class CalendarView(ScopedView):
    """One organization's year at a glance: each obligation's periods, met, missed, upcoming or not applicable."""

    def get(self, request, pk):
        org = scoped_object(Org, request.user, pk)
        year = _year(request)
        doc = compliance.compliance(request.user, org, year, subtree=False)
        own = next((o for o in doc["organizations"] if o["code"] == org.code), None)
        if own is None and not org.children.exists():
            raise Http404
        return render(request, "orglife/calendar.html", {
            "org": org, "year": year, "as_of": doc["as_of"], "rows": compliance.calendar(own, org.rules) if own else [],
            "months": compliance.MONTHS, "has_children": org.children.exists(), "summary": doc["summary"],
            "can_record": services.meeting_types(org) and org.active and _covers(request.user, org),
            "years": range(today().year, today().year - 6, -1)})


class SubtreeView(ScopedView):
    """Compliance rates of the subtree by child organization, sortable, with what each one missed."""

    SORTS = ("rate", "-rate", "name", "missed", "-missed")

    def get(self, request, pk):
        org = scoped_object(Org, request.user, pk)
        year = _year(request)
        sort = choice_param(request, "sort", self.SORTS, default="rate")
        doc = compliance.compliance(request.user, org, year, ids=False)  # rates and statuses only: no meeting ids
        rows = compliance.by_child(doc, org)
        key = sort.lstrip("-")
        if key == "name":
            rows.sort(key=lambda r: r["org"].name)
        else:
            field = "rate" if key == "rate" else "missed"
            rows.sort(key=lambda r: (r[field] is None, r[field] or 0), reverse=sort.startswith("-"))
        return render(request, "orglife/subtree.html", {
            "org": org, "year": year, "as_of": doc["as_of"], "rows": rows, "sort": sort, "summary": doc["summary"],
            "sorts": [("rate", _("落实率从低到高")), ("-rate", _("落实率从高到低")), ("-missed", _("未落实从多到少")),
                      ("name", _("按名称"))],
            "years": range(today().year, today().year - 6, -1)})


def _covers(user, org) -> bool:
    from jiceng.core.scoping import scope_of

    return scope_of(user).covers(org.path, CHANGE)


class MeetingAttachView(ObjectActionView):
    model, form_class, title = Meeting, forms.AttachmentForm, _("上传会议附件")

    def perform(self, meeting, data):
        return services.attach(self.request.user, meeting, file=data["file"], note=data.get("note", ""))


class MeetingAttachmentView(ScopedView):
    """A meeting's file, to those who may read the meeting: uploads are never public files; each download logged."""

    def get(self, request, pk, attachment):
        meeting = scoped_object(Meeting, request.user, pk)
        kept = get_object_or_404(meeting.attachments, pk=attachment)
        name = kept.file.name
        log_personal_data(request.user, "meeting_attachment", fmt=name.rpartition(".")[2][:10] if "." in name else "",
                          what={"meeting": meeting.pk, "attachment": kept.pk, "file": name})
        return FileResponse(kept.file.open("rb"), as_attachment=True, filename=kept.filename)
