"""The upper level's review through the API: `POST /api/orglife/meetings/{id}/accept/` and `.../return/`
(with a comment), the same service and rules as the meeting page and `jiceng orglife review`."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from . import review
from .models import Meeting


class AcceptSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=review.NOTE_MAX,
                                    help_text="审核意见（可选）/ comment (optional)")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=review.NOTE_MAX,
                                    help_text="退回理由（必填）/ why it is returned (required)")


class ReviewResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "review", "review_note"]
        read_only_fields = fields


class ReviewActions:
    """Mixed into MeetingViewSet: the meeting is found through the scope (another subtree: 404); the service
    refuses (403) a reviewer who is not above the meeting's organization."""

    def _review(self, request, serializer_class, service):
        meeting = self.get_object()
        s = serializer_class(data=request.data)
        s.is_valid(raise_exception=True)
        meeting = self.call_service(service, request.user, meeting, comment=s.validated_data.get("comment", ""))
        return Response(ReviewResultSerializer(meeting).data)

    @extend_schema(request=AcceptSerializer, responses={200: ReviewResultSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """审核通过 / accept the record (the upper organization's)."""
        return self._review(request, AcceptSerializer, review.accept_meeting)

    @extend_schema(request=ReturnSerializer, responses={200: ReviewResultSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回更正，须写明理由 / return the record to be corrected, with a comment."""
        return self._review(request, ReturnSerializer, review.return_meeting)
