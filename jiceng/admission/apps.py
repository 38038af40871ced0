from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "jiceng.admission"
    label = "admission"
    verbose_name = "发展"

    def ready(self):
        from . import offers

        offers.register()  # its links and command (core.registry)
        from jiceng.core.registry import register_category_hold

        register_category_hold(_open_application)


def _open_application(member):
    """While an application is open, the admission procedure alone moves the person's category."""
    from django.utils.translation import gettext as _

    from .models import Application

    if Application.objects.filter(member=member, status=Application.OPEN).exists():
        return _("该同志有进行中的发展程序，人员类别由发展程序确定，不能更正")
    return None
