"""`jiceng orglife review …`: the upper level's review from the command line (mixed into the orglife command)."""
from __future__ import annotations

from django.http import Http404

from jiceng.core.cli import NOT_FOUND, Failed, t
from jiceng.core.scoping import CHANGE
from jiceng.core.views import scoped_object

from . import review
from .models import Meeting

HELP = "审核下级组织的会议记录：通过或退回（退回须写理由）/ review a meeting record: accept, or return with a comment"


class ReviewCommands:
    def args_review(self, p):
        p.add_argument("meeting_id", metavar="MEETING_ID", type=int, help="会议编号 / meeting id")
        p.add_argument("decision", choices=["accept", "return"], help="accept 通过 / return 退回")
        p.add_argument("--comment", default="", help="审核意见（退回时必填）/ comment (required to return)")

    def do_review(self, meeting_id, decision, comment, **_):
        try:
            meeting = scoped_object(Meeting, self.user, meeting_id, CHANGE)
        except Http404:
            raise Failed(t(f"找不到会议 {meeting_id}", f"No meeting {meeting_id} was found."), returncode=NOT_FOUND) from None
        with self.writing():
            review.review(self.user, meeting, decision=decision, comment=comment)
        meeting.refresh_from_db()
        self.emit({"id": meeting.pk, "review": meeting.review, "review_note": meeting.review_note},
                  t(f"会议 {meeting.pk}（{meeting.topic}）：{meeting.get_review_display()}",
                    f"Meeting {meeting.pk} ({meeting.topic}): {meeting.review}"))
