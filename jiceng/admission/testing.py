"""The admission app's test declarations (`core.testkit`): its factories and routes."""
from datetime import date

from django.core.files.base import ContentFile

from jiceng.core import testkit
from jiceng.core.testkit import Route, query

from . import plans, services
from .models import Application, DevelopmentPlan


@testkit.factory(Application)
def application(org, *, actor):
    """A new person's application to `org`, opened by `actor` (its first step recorded)."""
    n = testkit.unique()
    return services.start(actor, org=org, on=date(2023, 3, 1),
                          person={"name": f"测试申请人{n}", "sex": "男", "birth_date": date(2000, 1, 1)})


@testkit.factory(DevelopmentPlan)
def development_plan(org, *, actor):
    """`org`'s development plan for 2024 (its total line)."""
    return plans.set_plan(actor, org, 2024, total=2)[plans.TOTAL]


def next_step(side):
    """The record form of the application's next step (the one after the step that opened it)."""
    app = side.get(Application)
    step = next(s for s in app.rules.admission.steps if not s.starts)
    return {"pk": app.pk, "step": step.key}, ""


def people_field(side):
    """The people picker's search of the first step that names people (谈话人 of the CCP's talk)."""
    app = side.get(Application)
    step = next(s for s in app.rules.admission.steps if any(f.type == "people" for f in s.fields))
    return {"pk": app.pk, "step": step.key, "field": next(f.key for f in step.fields if f.type == "people")}, "?q=测试"


def attachment(side):
    """The application letter attached to the first step: served only through the scoped route."""
    app = side.get(Application)
    record = app.steps.order_by("id").first()
    record.attachment.save(f"letter-{app.pk}.txt", ContentFile(b"application letter"))
    return {"pk": app.pk, "record": record.pk}, ""


testkit.routes({
    "application_list": Route("list"),
    "application_start": Route("write", target=query("org")),
    "application_detail": Route("read", target=Application),
    "application_record": Route(target=next_step),
    "application_people": Route("write", target=people_field),
    "application_stop": Route(target=Application),
    "application_attachment": Route("read", target=attachment),
    "application_dossier": Route("read", target=Application),
    "api-application-list": Route("list", api=True),
    "api-application-detail": Route("read", target=Application, api=True),
    "api-application-steps": Route("write", target=Application, api=True, post_only=True),
    "api-application-stop": Route("write", target=Application, api=True, post_only=True),
    "admission_pipeline": Route("read", target=query("org")),
    "admission_plans": Route("read", target=query("org")),
    "admission_plan_edit": Route("write", target=query("org")),
    "api-admission-pipeline": Route("read", target=query("org"), api=True),
    "api-admission-plans": Route("read", target=query("org"), api=True),
})

testkit.scoped_model(Application, list="application_list", detail="application_detail", edit="application_stop",
                     api_list="api-application-list", api_detail="api-application-detail",
                     shown_as=lambda a: a.member.name)
