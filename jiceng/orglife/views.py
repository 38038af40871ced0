from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from jiceng.core.exports import log_personal_data
from jiceng.core.dates import shown, today
from jiceng.core.i18n import pick
from jiceng.core.params import choice_param, id_param, int_param
from jiceng.core.scoping import CHANGE
from jiceng.core.views import ObjectActionView, ObjectListView, ObjectView, ScopedView, scoped_object
from jiceng.orgs.models import Org, rules_in_scope

from . import compliance, forms, services, signin
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
        return {"lines": lines, "mtype": mtype, "cite": cite, "attachments": list(meeting.attachments.all()),
                "sign_in_today": signin.may_open(meeting), "sign_in_open": signin.current_link(meeting) is not None}


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
        # rates and what was missed only: no meeting ids, no row per period
        doc = compliance.compliance(request.user, org, year, ids=False, periods_shown=False)
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


# ----------------------------------------------------------------------------------- optional sign-in (signin.py)

class SignInLinkView(ObjectActionView):
    """The officer's sign-in screen of a meeting: GET shows the open link's QR code, its expiry and who signed
    in (the count refreshes by itself, htmx); POST opens a new link (closing the old). Sign-in is optional:
    the hand marking of the meeting's form stays complete."""

    model, form_class, title = Meeting, forms.EmptyForm, _("扫码签到")
    template_name = "orglife/sign_in_link.html"

    def get(self, request, **kwargs):
        meeting = self.get_object()
        if request.GET.get("part") == "count":
            return render(request, "orglife/_sign_in_count.html", self._state(meeting))
        return self.render_form(meeting, self.get_form(meeting))

    def _state(self, meeting) -> dict:
        link = signin.current_link(meeting)
        url = self.request.build_absolute_uri(signin.path_of(link)) if link else ""
        meeting.refresh_from_db()
        return {"meeting": meeting, "link": link, "url": url, "qr": signin.qr_svg(url) if link else "",
                "signed": signin.signed_in(meeting), "may_open": signin.may_open(meeting),
                "minutes": signin.minutes_for(meeting)}

    def get_context(self, meeting, form) -> dict:
        return {**super().get_context(meeting, form), **self._state(meeting)}

    def perform(self, meeting, data):
        return signin.open_link(self.request.user, meeting)

    def announce(self, meeting, link):
        messages.success(self.request, _g("签到二维码已生成，有效至 %(t)s") % {"t": shown(link.expires_at)})

    def success_url(self, meeting, link):
        return reverse("meeting_sign_in_link", args=[meeting.pk])


class SignInCloseView(ObjectActionView):
    """POST only (the button is on the sign-in screen): close the open link early."""

    model, form_class, title = Meeting, forms.EmptyForm, _("关闭签到")
    http_method_names = ["post"]

    def perform(self, meeting, data):
        return signin.close_link(self.request.user, meeting)

    def announce(self, meeting, link):
        messages.success(self.request, _g("签到已关闭；已签到的出勤保留") if link else _g("当前没有开放的签到链接"))

    def success_url(self, meeting, link):
        return meeting.get_absolute_url()


class SignInView(ScopedView):
    """The member's page the QR code opens (login first, then back here): the meeting and one 签到 button.
    A forged, expired or closed link, someone not expected and a second sign-in are told so; nothing changes."""

    template_name = "orglife/sign_in.html"

    def page(self, request, token, problem="", status=200):
        found = signin.read_token(token)
        line = signin.line_of(request.user, found.meeting) if found.link else None
        if found.problem:
            problem, status = found.problem, (410 if found.gone else 400)
        elif line is None:
            problem = problem or _g("您不在本次会议的应到名单中，无须签到。如有疑问，请联系会议记录人")
        done = signin.signed_already(line) if line is not None and line.status == Attendance.PRESENT else ""
        return render(request, self.template_name, {"found": found, "meeting": found.meeting, "line": line,
                                                    "token": token, "problem": problem, "done": done}, status=status)

    def get(self, request):
        return self.page(request, request.GET.get("t", ""))

    def post(self, request):
        token = request.POST.get("t", "")
        try:
            with transaction.atomic():
                line = signin.sign_in(request.user, token)
        except ValidationError as exc:
            words = [m for msgs in exc.message_dict.values() for m in msgs]
            return self.page(request, token, problem=" ".join(words))
        messages.success(request, _g("签到成功：%(t)s") % {"t": timezone.localtime(line.marked_at).strftime("%H:%M")})
        return redirect(f"{reverse('orglife_sign_in')}?t={token}")
