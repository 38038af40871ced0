"""The organizations app's test declarations (`core.testkit`): its factories and routes."""
from datetime import date

from jiceng.core import testkit
from jiceng.core.testkit import Route, query

from . import services
from .models import Org, PostHolding


@testkit.factory(PostHolding)
def post_holding(org, *, actor):
    """A member of `org` in the first of its kind's posts that has room."""
    member = testkit.build("members.Member", org, actor=actor)
    taken = list(PostHolding.objects.current().filter(org=org).values_list("post", flat=True))
    post = next(p.key for p in org.rules.posts_for(org.kind) if p.max is None or taken.count(p.key) < p.max)
    return services.assign_post(actor, org, member, post, on=date(2020, 1, 1))


# a route whose target is Org points at the branch itself (core.testkit.Side)
testkit.routes({
    "org_tree": Route("list"),
    "org_elections": Route("list"),
    "org_warnings": Route("list"),
    "org_pick": Route("list"),  # the filters' organization autocomplete
    "org_detail": Route("read", target=Org),
    "org_children": Route("read", target=Org),
    "org_add": Route("structure", target=query("parent")),  # the view checks STRUCTURE on the parent
    "org_edit": Route(target=Org),
    "org_move": Route(target=Org),
    "org_merge": Route(target=Org),
    "org_dissolve": Route(target=Org),
    "election_add": Route(target=Org),
    "post_add": Route(target=Org),
    "post_people": Route("write", target=Org),  # the post form's people search: who may assign there
    "post_end": Route(target=PostHolding),
    "api-org-list": Route("list", api=True),
    "api-org-detail": Route("read", target=Org, api=True),
})

testkit.scoped_model(Org, list="org_tree", detail="org_detail", edit="org_edit", api_list="api-org-list",
                     api_detail="api-org-detail", shown_as=lambda o: o.name)
