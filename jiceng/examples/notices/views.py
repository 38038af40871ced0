from django.utils.translation import gettext_lazy as _

from jiceng.core.params import id_param
from jiceng.core.scoping import CHANGE
from jiceng.core.views import ObjectActionView, ObjectListView, ObjectView, scoped_object
from jiceng.orgs.models import Org

from . import forms, services
from .filtersets import NoticeFilterSet
from .models import Notice


class NoticeListView(ObjectListView):
    filterset, template_name = NoticeFilterSet, "notices/list.html"

    def get_queryset(self, qs):
        return qs.select_related("org")


class NoticeDetailView(ObjectView):
    model, template_name, context_name = Notice, "notices/detail.html", "notice"


class NoticeAddView(ObjectActionView):
    form_class, title = forms.NoticeForm, _("发布通知")

    def get_object(self):  # the organization that posts it: ?org=
        return scoped_object(Org, self.request.user, id_param(self.request, "org") or 0, CHANGE)

    def perform(self, org, data):
        return services.post_notice(self.request.user, org=org, **data)


class NoticeEditView(ObjectActionView):
    model, form_class, title = Notice, forms.NoticeForm, _("修改通知")

    def form_kwargs(self, notice):
        return {"initial": {"title": notice.title, "body": notice.body, "posted_on": notice.posted_on}}

    def perform(self, notice, data):
        return services.edit_notice(self.request.user, notice, **data)
