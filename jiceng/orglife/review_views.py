"""Pages of the upper level's review and of the record check (记录核查): the review queue, the accept /
return buttons (a panel of the meeting page), the returned records on the home page, the flagged records
and a pair of similar minutes side by side. Flags are facts for a person to judge, never penalties."""
from __future__ import annotations

import django_filters as df
from django import forms
from django.contrib import messages
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.forms import Form
from jiceng.core.params import id_param
from jiceng.core.paths import within
from jiceng.core.scoping import CHANGE, VIEW, scope_of
from jiceng.core.views import ObjectActionView, ObjectListView, ScopedView, scoped_object
from jiceng.orgs.models import Org

from . import review, similarity
from .models import Meeting

FIRST_UNREVIEWED = Case(When(review=Meeting.UNREVIEWED, then=Value(0)), When(review=Meeting.RETURNED, then=Value(1)),
                        default=Value(2), output_field=IntegerField())


def reviewable_q(user) -> Q:
    """Meetings whose organization lies strictly below one where the user holds CHANGE."""
    scope = scope_of(user)
    if scope.superuser:
        return Q(org__parent__isnull=False)
    q = Q(pk__in=[])
    for p in scope.paths_for(CHANGE):
        q |= within("org_path", p) & ~Q(org_path=p)
    return q


class ReviewFilterSet(ScopedFilterSet):
    """The review queue: meetings of the subtree, unreviewed first."""

    review = df.ChoiceFilter(field_name="review", choices=Meeting.REVIEWS, label=_("审核状态"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="in_subtree", label=_("组织（含下级）"))
    year = df.NumberFilter(field_name="held_on", lookup_expr="year", label=_("年度"), min_value=1900, max_value=9999)
    mine = df.BooleanFilter(method="reviewable", label=_("仅我可审核的"))

    class Meta:
        model = Meeting
        fields = ["review", "org", "year", "mine"]

    def in_subtree(self, queryset, name, org):
        return queryset.filter(within("org_path", org.path))

    def reviewable(self, queryset, name, value):
        return queryset.filter(reviewable_q(self.request.user)) if value else queryset


class ReviewQueueView(ObjectListView):
    filterset, template_name = ReviewFilterSet, "orglife/review_queue.html"

    def get_queryset(self, qs):
        return qs.select_related("org").annotate(first=FIRST_UNREVIEWED).order_by("first", "-held_on", "-id")

    def get_extra_context(self, page):
        user = self.request.user
        return {"reviews": Meeting.REVIEWS, "rows": [(m, review.may_review(user, m)) for m in page]}


class ReviewForm(Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[("accept", _("通过")), ("return", _("退回更正"))])
    comment = forms.CharField(label=_("审核意见"), max_length=review.NOTE_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), help_text=_("退回时必填：写明需要更正什么"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class ReviewView(ObjectActionView):
    """POST only (the buttons are on the meeting page); a refused form (no comment) is shown again."""

    model, form_class, title = Meeting, ReviewForm, _("审核会议记录")
    http_method_names = ["post"]

    def perform(self, meeting, data):
        return review.review(self.request.user, meeting, decision=data["decision"], comment=data.get("comment", ""))

    def announce(self, meeting, result):
        messages.success(self.request, _g("已通过") if result.review == Meeting.ACCEPTED else _g("已退回本组织更正"))


def _subtree(request):
    """The meetings in the user's scope, within ?org= (an organization in scope) when given."""
    meetings = Meeting.objects.restrict(request.user, VIEW)
    org_id = id_param(request, "org")
    org = scoped_object(Org, request.user, org_id) if org_id else None
    return (meetings.filter(within("org_path", org.path)) if org else meetings), org


class ChecksView(ScopedView):
    """记录核查: minutes nearly identical to another meeting's, and meetings entered long after they were held."""

    def get(self, request):
        meetings, org = _subtree(request)
        pairs = similarity.pairs(meetings)
        late = [m for m in meetings.select_related("org").order_by("-held_on", "-id")[:2000] if m.late][:200]
        return render(request, "orglife/checks.html", {"pairs": pairs, "late": late, "org": org,
                                                       "threshold": similarity.THRESHOLD})


class PairView(ScopedView):
    """Two meetings' minutes side by side, both in the user's scope (otherwise not found)."""

    def get(self, request, pk, other):
        a, b = scoped_object(Meeting, request.user, pk), scoped_object(Meeting, request.user, other)
        return render(request, "orglife/pair.html", {"a": a, "b": b, "score": similarity.similarity(a.minutes, b.minutes),
                                                     "threshold": similarity.THRESHOLD})


# ----------------------------------------------------------------------------------- panels

def meeting_panel(request, meeting):
    """The meeting page: its review (status, the comment, the buttons for the upper level) and similar minutes."""
    visible = Meeting.objects.restrict(request.user, VIEW)
    return {"meeting": meeting, "can_review": review.may_review(request.user, meeting),
            "similar": similarity.similar_to(meeting, visible), "form": ReviewForm()}


def home_returned(request, obj=None):
    """The home page: records the upper level returned, in the user's scope, to correct; and what awaits review."""
    user = request.user
    returned = list(Meeting.objects.filter(review=Meeting.RETURNED).restrict(user, CHANGE)
                    .select_related("org").order_by("-held_on")[:20])
    waiting = (Meeting.objects.filter(review=Meeting.UNREVIEWED).filter(reviewable_q(user)).restrict(user, CHANGE).count()
               if scope_of(user).holds(CHANGE) else 0)
    if not returned and not waiting:
        return None
    return {"returned": returned, "waiting": waiting}
