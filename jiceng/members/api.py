from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.core import idnumber
from jiceng.core.api import ScopedViewSet, scoped_by_code
from jiceng.core.exports import reveal_id_number
from jiceng.core.scoping import CHANGE
from jiceng.core.vocab import (
    CADRE_RANKS, CPPCC_LEVELS, DEGREES, EDUCATIONS, EMPLOYMENTS, ETHNICITIES, NPC_LEVELS, SEXES, TITLE_LEVELS,
)
from jiceng.orgs.models import Org

from . import services
from .filtersets import MemberFilterSet
from .models import Exit, Member


def _choice(values, help_text=None):
    return serializers.ChoiceField(choices=values, required=False, allow_blank=True, help_text=help_text)


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
    cadre_rank = _choice(CADRE_RANKS, "干部级别 / cadre rank")
    npc_deputy = _choice(NPC_LEVELS, "政治安排：人大代表的级别，空为不是 / political arrangement: the level of the people's "
                                     "congress sat in as a deputy; blank: none")
    cppcc_member = _choice(CPPCC_LEVELS, "政治安排：政协委员的级别，空为不是 / political arrangement: the level of the CPPCC "
                                         "committee sat on; blank: none")
    since = serializers.DateField(write_only=True, required=False, help_text="现类别起始日期 / start of the category")
    applied_on = serializers.DateField(write_only=True, required=False)
    joined_on = serializers.DateField(write_only=True, required=False)
    confirmed_on = serializers.DateField(write_only=True, required=False)
    on = serializers.DateField(write_only=True, required=False, help_text="转接或类别更正的日期 / date of a transfer or category correction")
    effective = serializers.DateField(write_only=True, required=False, help_text=(
        "变更生效日期：人员状态、学历、学位、职称、职业类别、干部级别、人大代表、政协委员的新值自该日起（默认今天），"
        "原值记入历史 / effective date: a changed employment, education, degree, title level, occupation, cadre rank or "
        "political arrangement holds from this day (default today), "
        "the old value kept in the history"))
    correction = serializers.BooleanField(write_only=True, required=False, default=False, help_text=(
        "更正录入错误：上述各项的新值改写当前记录，不另起历史 / a correction of a wrong value: rewrites the open line "
        "instead of starting a new one"))
    exited_on = serializers.DateField(read_only=True, allow_null=True, help_text="离开日期（去世、退党、除名等）/ the day the person left, if any")
    reason = serializers.CharField(write_only=True, required=False, max_length=280, help_text=(
        "更正人员类别时必填：类别的变动通过发展程序办理，更正仅限组织管理员 / required with a category change: "
        "categories move through the admission procedure; a correction is an organization administrator's"))

    class Meta:
        model = Member
        fields = ["id", "name", "sex", "ethnicity", "birth_date", "id_number", "phone", "education", "degree",
                  "title_level", "employer", "post", "occupation", "employment", "cadre_rank", "npc_deputy",
                  "cppcc_member", "org_code", "category",
                  "category_label", "exited_on", "since", "applied_on", "joined_on", "confirmed_on", "on", "effective",
                  "correction", "reason"]

    def to_representation(self, member):
        data = super().to_representation(member)
        if isinstance(self.parent, serializers.ListSerializer):  # a list: masked whatever the role
            data["id_number"] = idnumber.mask(data["id_number"]) if data["id_number"] else ""
        else:  # one member: whole for the roles that may see it, and that reveal is logged
            data["id_number"] = reveal_id_number(self.context["request"].user, member)
        return data

    def create(self, data):
        for key in ("on", "reason", "effective", "correction"):
            data.pop(key, None)
        org = data.pop("org")
        data["category"] = services.category_key(org.rules, data["category"])
        return services.create_member(self.context["request"].user, org=org, **data)

    def update(self, member, data):
        on, reason = data.pop("on", None), data.pop("reason", "")
        effective, correction = data.pop("effective", None), data.pop("correction", False)
        for key in ("since", "applied_on", "joined_on", "confirmed_on"):
            data.pop(key, None)
        org, category = data.pop("org", None), data.pop("category", None)
        return services.amend_member(self.context["request"].user, member, person=data, org=org, category=category,
                                     on=on, reason=reason, effective=effective, correction=correction)


class ExitSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=30, help_text="离开方式（体系中的键或名称：去世、退党、除名 …）/ how the person "
                                                          "left: a key or word of the profile's exits")
    on = serializers.DateField(help_text="离开日期 / the day")
    evidence = serializers.CharField(required=False, allow_blank=True, default="", max_length=300,
                                     help_text="依据：作出决定的会议或文件（体系规定须写明的离开方式必填，如除名、开除）/ "
                                               "evidence: the deciding meeting or document (required for the kinds "
                                               "the profile marks, such as removal and expulsion)")


class ExitResultSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = Exit
        fields = ["member", "kind", "kind_label", "on", "evidence"]
        read_only_fields = fields


class MemberViewSet(ScopedViewSet):
    """成员 / members: list with the same filters as the UI (those on the books unless `status` says otherwise),
    read, create, update, record and cancel an exit — within your scope."""

    model = Member
    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("org")

    def filter_queryset(self, queryset):
        if self.action != "list":  # one person by id, on the books or not: the list's filters are for lists
            self.filter_backends = ()
        return super().filter_queryset(queryset)

    @extend_schema(request=ExitSerializer, responses={201: ExitResultSerializer})
    @action(detail=True, methods=["post"])
    def exit(self, request, pk=None):
        """登记离开（去世、退党、除名等），其各项记录于该日结束 / record that the person left; their lines end that day."""
        member = self.get_object()
        s = ExitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        record = self.call_service(services.record_exit, request.user, member, **s.validated_data)
        return Response(ExitResultSerializer(record).data, status=201)

    @extend_schema(request=None, responses={200: MemberSerializer})
    @action(detail=True, methods=["post"], url_path="cancel-exit", url_name="cancel-exit")
    def cancel_exit(self, request, pk=None):
        """撤销误录的离开记录，恢复其结束的各项记录 / undo an exit entered by mistake."""
        member = self.call_service(services.cancel_exit, request.user, self.get_object())
        return Response(MemberSerializer(member, context=self.get_serializer_context()).data)
