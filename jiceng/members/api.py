from rest_framework import serializers

from jiceng.core import idnumber
from jiceng.core.api import ScopedViewSet, scoped_by_code
from jiceng.core.exports import reveal_id_number
from jiceng.core.scoping import CHANGE
from jiceng.core.vocab import DEGREES, EDUCATIONS, EMPLOYMENTS, ETHNICITIES, SEXES, TITLE_LEVELS
from jiceng.orgs.models import Org

from . import services
from .filtersets import MemberFilterSet
from .models import Member


def _choice(values):
    return serializers.ChoiceField(choices=values, required=False, allow_blank=True)


class MemberSerializer(serializers.ModelSerializer):
    org_code = scoped_by_code(Org, CHANGE)(
        source="org", slug_field="code", help_text="所在组织编码；修改即转接组织关系 / belonging organization; changing it transfers")
    category = serializers.CharField(help_text="人员类别（体系中的键或名称）/ category key or word of the profile")
    category_label = serializers.CharField(read_only=True)
    id_number = serializers.CharField(required=False, allow_blank=True,
                                      help_text="身份证号；列表中一律脱敏，单个成员仅对有权查看的角色显示完整号码并记录 / "
                                                "masked in lists; whole in one member's answer only to roles that may see it, and logged")
    sex, ethnicity, education = _choice(SEXES), _choice(ETHNICITIES), _choice(EDUCATIONS)
    degree, title_level, employment = _choice(DEGREES), _choice(TITLE_LEVELS), _choice(EMPLOYMENTS)
    since = serializers.DateField(write_only=True, required=False, help_text="现类别起始日期 / start of the category")
    applied_on = serializers.DateField(write_only=True, required=False)
    joined_on = serializers.DateField(write_only=True, required=False)
    confirmed_on = serializers.DateField(write_only=True, required=False)
    on = serializers.DateField(write_only=True, required=False, help_text="变更生效日期 / effective date of a change")
    reason = serializers.CharField(write_only=True, required=False, max_length=280, help_text=(
        "更正人员类别时必填：类别的变动通过发展程序办理，更正仅限组织管理员 / required with a category change: "
        "categories move through the admission procedure; a correction is an organization administrator's"))

    class Meta:
        model = Member
        fields = ["id", "name", "sex", "ethnicity", "birth_date", "id_number", "phone", "education", "degree",
                  "title_level", "employer", "post", "occupation", "employment", "org_code", "category",
                  "category_label", "since", "applied_on", "joined_on", "confirmed_on", "on", "reason"]

    def to_representation(self, member):
        data = super().to_representation(member)
        if isinstance(self.parent, serializers.ListSerializer):  # a list: masked whatever the role
            data["id_number"] = idnumber.mask(data["id_number"]) if data["id_number"] else ""
        else:  # one member: whole for the roles that may see it, and that reveal is logged
            data["id_number"] = reveal_id_number(self.context["request"].user, member)
        return data

    def create(self, data):
        data.pop("on", None)
        data.pop("reason", None)
        org = data.pop("org")
        data["category"] = services.category_key(org.rules, data["category"])
        return services.create_member(self.context["request"].user, org=org, **data)

    def update(self, member, data):
        on, reason = data.pop("on", None), data.pop("reason", "")
        for key in ("since", "applied_on", "joined_on", "confirmed_on"):
            data.pop(key, None)
        org, category = data.pop("org", None), data.pop("category", None)
        return services.amend_member(self.context["request"].user, member, person=data, org=org, category=category,
                                     on=on, reason=reason)


class MemberViewSet(ScopedViewSet):
    """成员 / members: list with the same filters as the UI, read, create, update — within your scope."""

    model = Member
    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("org")
