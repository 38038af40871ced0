"""Transfers and mobile members through the API: the same services and scope as the pages."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.core.api import ScopedReadViewSet, ScopedViewSet, scoped_by_code, scoped_by_id
from jiceng.core.scoping import CHANGE
from jiceng.core.vocab import SEXES
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import services
from .filtersets import MobileFilterSet, TransferFilterSet
from .models import MobileMember, Transfer


class DestinationField(serializers.CharField):
    """An organization of the installation named by code, for a letter or a host: resolved in `validate`
    among the member's possible destinations (services.destinations), not within the user's scope."""


def resolve(attrs: dict, member: Member, field: str, target: str) -> None:
    code = (attrs.pop(field, "") or "").strip()
    if not code:
        attrs[target] = None
        return
    org = services.destinations(member).filter(code=code).first()
    if org is None:
        raise serializers.ValidationError({field: [_("找不到编码为 %(c)s 的组织") % {"c": code[:64]}]})
    attrs[target] = org


class TransferSerializer(serializers.ModelSerializer):
    member = scoped_by_id(Member, CHANGE, help_text="人员编号（转出组织的成员）/ person id, of the sending organization")
    member_name = serializers.CharField(source="member.name", read_only=True, help_text="姓名 / name")
    to_org_code = DestinationField(required=False, allow_blank=True, max_length=64, write_only=True,
                                   help_text="转入组织编码（本系统内）/ receiving organization's code (in the installation)")
    within_city = serializers.BooleanField(required=False, default=False, write_only=True,
                                           help_text="系统外的转入组织在本市 / an outside destination in the same city")
    issued_on = serializers.DateField(required=False, help_text="开具日期（默认今天）/ issued on (default today)")
    letter_no = serializers.CharField(required=False, allow_blank=True, max_length=60,
                                      help_text="介绍信编号（不填自动编号）/ letter number (blank: numbered)")
    from_org = serializers.CharField(source="from_org.code", read_only=True, allow_null=True, default=None)
    to_org = serializers.CharField(source="to_org.code", read_only=True, allow_null=True, default=None)
    from_label = serializers.CharField(read_only=True, help_text="转出组织 / sending organization")
    to_label = serializers.CharField(read_only=True, help_text="转入组织 / receiving organization")
    expired = serializers.SerializerMethodField(help_text="已过有效期仍未接收 / past validity, not accepted")

    class Meta:
        model = Transfer
        fields = ["id", "member", "member_name", "route", "state", "expired", "from_org", "from_label", "to_org",
                  "to_label", "to_org_code", "to_name", "within_city", "letter_no", "issued_on", "valid_until",
                  "reason", "accepted_on", "returned_on", "return_reason", "cancelled_on", "slip_on", "slip_note",
                  "note"]
        read_only_fields = ["route", "state", "valid_until", "accepted_on", "returned_on", "return_reason",
                            "cancelled_on", "slip_on", "slip_note"]

    def get_expired(self, transfer) -> bool:
        from jiceng.core.dates import today

        return transfer.expired_on(today())

    def validate(self, attrs):
        resolve(attrs, attrs["member"], "to_org_code", "to_org")
        return attrs

    def create(self, data):
        return services.issue(self.context["request"].user, data.pop("member"), **data)


class EventSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="日期（默认今天）/ the day (default today)")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text="说明 / note")


class TransferReturnSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="退回日期（默认今天）/ the day (default today)")
    reason = serializers.CharField(max_length=300, help_text="退回原因 / why it is returned")


class IncomingSerializer(serializers.Serializer):
    org_code = scoped_by_code(Org, CHANGE)(source="org", slug_field="code",
                                          help_text="接收组织编码 / receiving organization's code")
    from_name = serializers.CharField(max_length=200, help_text="转出组织名称（系统外）/ sending organization")
    letter_no = serializers.CharField(max_length=60, help_text="介绍信编号 / letter number")
    issued_on = serializers.DateField(help_text="开具日期 / issued on")
    accepted_on = serializers.DateField(required=False, help_text="接收日期（默认今天）/ accepted on")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    name = serializers.CharField(max_length=50, help_text="姓名 / name")
    sex = serializers.ChoiceField(choices=list(SEXES), required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    category = serializers.CharField(max_length=30, help_text="人员类别键 / category key")
    applied_on = serializers.DateField(required=False)
    joined_on = serializers.DateField(required=False)
    confirmed_on = serializers.DateField(required=False)


class TransferViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """组织关系转接 / transfers: list and read those of either side in your scope; issue a letter (POST);
    accept, return, cancel, record the return slip; register a paper letter from outside."""

    model, serializer_class, filterset_class = Transfer, TransferSerializer, TransferFilterSet
    related = ("member", "from_org", "to_org")

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)

    def _event(self, request, call, serializer_class=EventSerializer):
        transfer = self.get_object()  # out of scope: 404 before anything sent is read
        s = serializer_class(data=request.data)
        s.is_valid(raise_exception=True)
        transfer = self.call_service(call, request.user, transfer, **s.validated_data)
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data)

    @extend_schema(request=EventSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """转入组织接收：自该日起组织关系隶属转入组织 / the receiving organization accepts: the member belongs to it from that day."""
        return self._event(request, services.accept)

    @extend_schema(request=TransferReturnSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_letter(self, request, pk=None):
        """退回介绍信（须写原因）/ return the letter, with the reason."""
        return self._event(request, services.return_letter, TransferReturnSerializer)

    @extend_schema(request=EventSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """转出组织撤回尚未接收的介绍信 / the sending organization withdraws a letter not yet accepted."""
        return self._event(request, services.cancel)

    @extend_schema(request=EventSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def slip(self, request, pk=None):
        """登记回执 / record the return slip."""
        return self._event(request, services.record_slip)

    @extend_schema(request=IncomingSerializer, responses={201: TransferSerializer})
    @action(detail=False, methods=["post"])
    def incoming(self, request):
        """登记系统外转入的纸质介绍信：人员录入接收组织 / a paper letter from outside: the person is entered in the receiving organization."""
        s = IncomingSerializer(data=request.data, context=self.get_serializer_context())
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        transfer = self.call_service(services.register_incoming, request.user, **data)
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data, status=201)


class MobileSerializer(serializers.ModelSerializer):
    member = scoped_by_id(Member, CHANGE, help_text="人员编号 / person id")
    member_name = serializers.CharField(source="member.name", read_only=True, help_text="姓名 / name")
    host_code = DestinationField(required=False, allow_blank=True, max_length=64, write_only=True,
                                 help_text="参加组织生活的组织编码（本系统内）/ host organization's code")
    host = serializers.CharField(source="host.code", read_only=True, allow_null=True, default=None)
    host_label = serializers.CharField(read_only=True, help_text="参加组织生活的组织 / host organization")
    left_on = serializers.DateField(required=False, help_text="外出日期（默认今天）/ away since (default today)")
    overdue = serializers.SerializerMethodField(help_text="超过预计返回日期仍未返回 / past the expected return")

    class Meta:
        model = MobileMember
        fields = ["id", "member", "member_name", "card_no", "place", "host", "host_code", "host_name", "host_label",
                  "left_on", "expected_return", "returned_on", "contact", "note", "overdue"]
        read_only_fields = ["returned_on"]

    def get_overdue(self, record) -> bool:
        from jiceng.core.dates import today

        return record.overdue_on(today())

    def validate(self, attrs):
        resolve(attrs, attrs["member"], "host_code", "host")
        return attrs

    def create(self, data):
        return services.record_mobile(self.context["request"].user, data.pop("member"), **data)


class MobileReturnSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="返回日期（默认今天）/ back on (default today)")


class MobileViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """流动党员 / mobile members: away without a transfer; record one (POST), record the return."""

    model, serializer_class, filterset_class, related = MobileMember, MobileSerializer, MobileFilterSet, ("member", "host")

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)

    @extend_schema(request=MobileReturnSerializer, responses={200: MobileSerializer})
    @action(detail=True, methods=["post"])
    def returned(self, request, pk=None):
        """登记返回：结束在外出地的组织生活 / back home: the participation at the host ends."""
        record = self.get_object()
        s = MobileReturnSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        record = self.call_service(services.mobile_returned, request.user, record, **s.validated_data)
        return Response(MobileSerializer(record, context=self.get_serializer_context()).data)
