"""`jiceng orglife sign-in-link MEETING_ID --as USER [--close]`: open (or close) a meeting's optional sign-in
link from the command line and print its address and expiry (mixed into the orglife command)."""
from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from jiceng.core.cli import NOT_FOUND, Failed, t
from jiceng.core.scoping import CHANGE
from jiceng.core.views import scoped_object

from . import signin
from .models import Meeting

HELP = "开放会议的扫码签到链接（仅限会议当天，可选不强制）或提前关闭 / open a meeting's sign-in link (its day only; optional), or close it"


class SignInCommands:
    def args_sign_in_link(self, p):
        p.add_argument("meeting_id", metavar="MEETING_ID", type=int, help="会议编号 / meeting id")
        p.add_argument("--close", action="store_true", help="提前关闭当前链接 / close the open link early")
        p.add_argument("--site", default=None, metavar="URL",
                       help="网站地址，用于拼出完整链接（默认 JICENG_SITE_URL）/ the site's address (default JICENG_SITE_URL)")

    def do_sign_in_link(self, meeting_id, close, site, **_):
        try:
            meeting = scoped_object(Meeting, self.user, meeting_id, CHANGE)
        except Http404:
            raise Failed(t(f"找不到会议 {meeting_id}", f"No meeting {meeting_id} was found."), returncode=NOT_FOUND) from None
        with self.writing():
            link = signin.close_link(self.user, meeting) if close else signin.open_link(self.user, meeting)
        if close:
            self.emit({"meeting": meeting.pk, "closed": link is not None},
                      t("签到链接已关闭" if link else "当前没有开放的签到链接",
                        "The sign-in link is closed." if link else "No sign-in link was open."))
            return
        base = (site or getattr(settings, "JICENG_SITE_URL", "") or "").rstrip("/")
        url = base + signin.path_of(link)
        until = timezone.localtime(link.expires_at)
        self.emit({"meeting": meeting.pk, "url": url, "expires_at": link.expires_at.isoformat()},
                  url, t(f"有效至 {until:%Y-%m-%d %H:%M}", f"Open until {until:%Y-%m-%d %H:%M}"))
