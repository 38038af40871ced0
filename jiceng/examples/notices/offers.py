"""What the notices app offers the pages of others (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry
from jiceng.core.scoping import CHANGE, scope_of


def register() -> None:
    registry.register_navigation("notice_list", _("通知"), 65)
    registry.register_action("org", "notice-add", _("发布通知"), lambda org: f"{reverse('notice_add')}?org={org.pk}",
                             lambda request, org: org.active and scope_of(request.user).covers(org.path, CHANGE),
                             order=90)
