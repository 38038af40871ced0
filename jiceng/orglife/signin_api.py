"""Optional sign-in through the API (signin.py): an officer opens or closes a meeting's link
(`POST /api/orglife/meetings/{id}/sign-in-link/`, `.../sign-in-link/close/`, found through the scope: another
subtree's meeting is 404); a member signs in with the link's token (`POST /api/orglife/sign-in/`), which needs
no grant beyond being expected at the meeting."""
from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from . import signin
from .models import Attendance


class LinkSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(help_text="会议编号 / meeting id")
    url = serializers.CharField(allow_null=True, help_text="签到链接（二维码内容）/ the sign-in address the QR code holds")
    expires_at = serializers.DateTimeField(allow_null=True, help_text="截止时间 / open until")
    closed = serializers.BooleanField(help_text="已关闭（或无开放的链接）/ closed, or none open")
    signed_in = serializers.IntegerField(help_text="本人签到人数 / how many signed in themselves")
    present_count = serializers.IntegerField(help_text="实到人数 / present")
    expected_count = serializers.IntegerField(help_text="应到人数 / expected")


class EmptySerializer(serializers.Serializer):
    pass


def link_data(request, meeting, link, closed=False) -> dict:
    meeting.refresh_from_db()
    return {"meeting": meeting.pk, "url": request.build_absolute_uri(signin.path_of(link)) if link and not closed else None,
            "expires_at": link.expires_at if link else None, "closed": closed or link is None,
            "signed_in": len(signin.signed_in(meeting)), "present_count": meeting.present_count,
            "expected_count": meeting.expected_count}


class SignInLinkActions:
    """Mixed into MeetingViewSet: the meeting is found through the scope with CHANGE (the write's)."""

    @extend_schema(request=EmptySerializer, responses={200: LinkSerializer})
    @action(detail=True, methods=["post"], url_path="sign-in-link", url_name="sign-in-link")
    def sign_in_link(self, request, pk=None):
        """开放扫码签到链接（仅限会议当天；可选，不强制）/ open a sign-in link (meeting day only; optional)."""
        meeting = self.get_object()
        link = self.call_service(signin.open_link, request.user, meeting)
        return Response(LinkSerializer(link_data(request, meeting, link)).data)

    @extend_schema(request=EmptySerializer, responses={200: LinkSerializer})
    @action(detail=True, methods=["post"], url_path="sign-in-link/close", url_name="sign-in-link-close")
    def close_sign_in_link(self, request, pk=None):
        """提前关闭签到链接 / close the sign-in link early (what was signed stays)."""
        meeting = self.get_object()
        link = self.call_service(signin.close_link, request.user, meeting)
        return Response(LinkSerializer(link_data(request, meeting, link, closed=True)).data)


class SignInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500, help_text="签到链接中的 t 参数 / the link's t parameter")


class SignedSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    topic = serializers.CharField()
    member = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Attendance.STATUSES)
    marked = serializers.ChoiceField(choices=Attendance.MARKED)
    marked_at = serializers.DateTimeField()


class SignInAPIView(APIView):
    """本人扫码签到 / sign in to a meeting yourself with the link's token: only someone on its expected list;
    a forged, expired or closed link, a second sign-in or someone not expected is a 400 saying why."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=SignInSerializer, responses={200: SignedSerializer})
    def post(self, request):
        s = SignInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with transaction.atomic():
            line = signin.sign_in(request.user, s.validated_data["token"])
        return Response(SignedSerializer({
            "meeting": line.meeting_id, "topic": line.meeting.topic, "member": line.member_id, "name": line.member.name,
            "status": line.status, "marked": line.marked, "marked_at": line.marked_at}).data)
