"""The pool of a step's people field for the shared people picker (core.people): the people the services
accept (services.people_pool), without the applicant; the eligible (the field's categories) first."""
from __future__ import annotations

from django.db.models import Q

from jiceng.core.people import Pool

from . import services
from .models import Application


def pool(app: Application, step, field) -> Pool:
    return Pool(services.people_pool(app.org, step, field).exclude(pk=app.member_id),
                Q(category__in=field.categories) if field.categories else None)
