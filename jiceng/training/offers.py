"""What the training app offers core's pages, imports, jobs and commands (`core.registry`); run from `ready()`."""
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry


def register() -> None:
    from . import demo, views
    from .filtersets import EnrolmentFilterSet
    from .imports import TrainingHoursImporter, hours_columns, hours_example, hours_rows

    registry.register_sheet(
        "training_hours", label=_("网络学习学时"), template_title=_("网络学习学时导入模板"), name_en="online learning hours",
        filterset=EnrolmentFilterSet, columns=hours_columns, example=hours_example, rows=hours_rows,
        importer=lambda user, rules=None: TrainingHoursImporter(user, rules), id_numbers=True, order=50)
    registry.register_export_subject("training_hours", _("参训记录"))
    registry.register_navigation("course_list", _("培训"), 45)
    # a person on file reads their own hours on their record's page (the member panel), which links their page
    registry.register_cli_command("training", "培训：培训班、覆盖情况、数字、学时导入 / training: courses, coverage, figures, hours import", 95)
    registry.register_panel("member", "training", "training/_member_panel.html", views.member_panel, order=60)
    registry.register_panel("org", "training", "training/_org_panel.html", views.org_panel, order=60, lazy=True)
    # the figures page (orglife's, one period and subtree form for every app): training's figures of the subject
    registry.register_panel("figures", "training", "training/_figures_panel.html", views.figures_panel, order=50)
    # after the demo's organizations and people (its builder's default order, 100)
    registry.register_demo_step("trainings", demo.build, order=60)
    _register_change_texts()


def _register_change_texts() -> None:
    """The change log's words for a course's form and audience (the organizer's profile's labels)."""
    from jiceng.orgs.offers import rules_of_record

    from .models import Course, Enrolment

    def label(part):
        def text(value, record):
            rules = rules_of_record(record)
            training = rules.training if rules else None
            return (training.form_label(value) if part == "form" else training.audience_label(value)) if training else None
        return text

    registry.register_value_text(Course, "form", label("form"))
    registry.register_value_text(Course, "audience", label("audience"))
    registry.register_value_text(Enrolment, "came_by", lambda value, record: dict(Enrolment.CHANNELS).get(value))
