from rest_framework import serializers

from jiceng.core.api import ScopedViewSet, scoped_by_code
from jiceng.core.scoping import STRUCTURE
from jiceng.core.vocab import SECTORS

from . import services
from .filtersets import OrgFilterSet
from .models import Org


class OrgSerializer(serializers.ModelSerializer):
    parent_code = scoped_by_code(Org, STRUCTURE)(
        source="parent", slug_field="code", required=False, allow_null=True,
        help_text="上级组织编码；修改即调整隶属关系 / parent code; changing it moves the organization")
    kind_label = serializers.CharField(read_only=True)
    sector = serializers.ChoiceField(choices=SECTORS, required=False, allow_blank=True)
    profile = serializers.CharField(required=False, allow_blank=True, help_text="ccp, mjin, jiusan …; inherited when blank")
    on = serializers.DateField(write_only=True, required=False, help_text="生效日期（默认今天）/ effective date of a change")

    class Meta:
        model = Org
        fields = ["id", "code", "name", "kind", "kind_label", "sector", "profile", "parent_code", "depth",
                  "founded_on", "dissolved_on", "on"]
        read_only_fields = ["depth", "dissolved_on"]
        extra_kwargs = {"code": {"validators": []}}

    def create(self, data):
        data.pop("on", None)
        return services.create_org(self.context["request"].user, **data)

    def update(self, org, data):
        on = data.pop("on", None)
        parent = data.pop("parent", org.parent)
        if "profile" in data and data.pop("profile") not in ("", org.profile):
            raise serializers.ValidationError({"profile": ["所属体系不能直接修改 / the profile cannot be changed"]})
        changes = {k: v for k, v in data.items() if getattr(org, k) != v}
        if changes:
            services.update_org(self.context["request"].user, org, on=on, **changes)
        if parent is not None and parent.pk != org.parent_id:
            services.move_org(self.context["request"].user, org, parent, on=on)
        return org


class OrgViewSet(ScopedViewSet):
    """组织 / organizations: list (filterable), read, create, update — within your scope."""

    model = Org
    serializer_class = OrgSerializer
    filterset_class = OrgFilterSet
    write_action = STRUCTURE

    def get_queryset(self):
        return super().get_queryset().select_related("parent").order_by("path")
