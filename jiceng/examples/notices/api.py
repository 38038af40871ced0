from rest_framework import serializers

from jiceng.core.api import ScopedViewSet, scoped_by_code
from jiceng.core.scoping import CHANGE
from jiceng.orgs.models import Org

from . import services
from .filtersets import NoticeFilterSet
from .models import Notice


class NoticeSerializer(serializers.ModelSerializer):
    org_code = scoped_by_code(Org, CHANGE)(source="org", slug_field="code", help_text="发布组织编码 / organization code")

    class Meta:
        model = Notice
        fields = ["id", "org_code", "title", "body", "posted_on"]

    def create(self, data):
        return services.post_notice(self.context["request"].user, **data)

    def update(self, notice, data):
        data.pop("org", None)  # a notice stays with the organization that posted it
        return services.edit_notice(self.context["request"].user, notice,
                                    **{"title": notice.title, "body": notice.body, "posted_on": notice.posted_on, **data})


class NoticeViewSet(ScopedViewSet):
    """通知 / notices: an organization's notices, within your scope."""

    model, serializer_class, filterset_class, related = Notice, NoticeSerializer, NoticeFilterSet, ("org",)
