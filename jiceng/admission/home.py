"""What the admission app puts on the home page: the steps overdue and due in the user's scope (for those
who record them), and, for a person with an application of their own, where it stands and what is next."""
from __future__ import annotations

from jiceng.core.dates import today
from jiceng.core.scoping import CHANGE, scope_of
from jiceng.orgs.views import scope_roots

from . import pipeline
from .models import Application

SHOWN = 10  # items of each kind on the home page; the pipeline page has them all


def todo(request, obj=None) -> dict | None:
    """Overdue and due-soon steps of the open applications in the user's subtrees (CHANGE holders)."""
    user = request.user
    if not scope_of(user).holds(CHANGE):
        return None
    overdue, due, roots = [], [], []
    for org in scope_roots(user).order_by("path")[:20]:
        if not org.rules.admission:
            continue
        p = pipeline.pipeline(user, org)
        overdue += p.items[pipeline.OVERDUE]
        due += p.items[pipeline.DUE]
        roots.append(org)
    if not roots:
        return None
    overdue.sort(key=lambda i: i.day)
    due.sort(key=lambda i: i.day)
    return {"overdue": overdue[:SHOWN], "overdue_count": len(overdue), "due": due[:SHOWN], "due_count": len(due),
            "roots": roots}


def mine(request, obj=None) -> dict | None:
    """The signed-in person's own open applications, each with what is overdue or due next."""
    apps = list(Application.objects.filter(member__account_id=request.user.pk, status=Application.OPEN)
                .restrict(request.user).select_related("member", "org"))
    if not apps:
        return None
    day, past = today(), pipeline.histories(Application.objects.filter(pk__in=[a.pk for a in apps]))
    rows = []
    for app in apps:
        adm = app.rules.admission
        soon = adm.due_soon_days if adm else 30
        items = [i for i in pipeline.items_of(app, past[app.pk], day, soon)
                 if i.kind in (pipeline.OVERDUE, pipeline.DUE, pipeline.OPENING, pipeline.NOTICE)]
        rows.append((app, items))
    return {"rows": rows}
