from collections import Counter

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import people, registry, sorting
from jiceng.core.models import ChangeRecord
from jiceng.core.params import choice_param, id_param, int_param
from jiceng.core.scoping import CHANGE, STRUCTURE, filter_then_restrict, scope_of
from jiceng.core.views import ObjectActionView, ObjectView, ScopedView, paginate, scoped, scoped_object

from . import filtersets, forms, services
from .filtersets import OrgFilterSet
from .models import Org, PostHolding


def scope_roots(user):
    """The top organizations of the user's scope: where their tree starts."""
    scope = scope_of(user)
    qs = Org.objects.filter(dissolved_on__isnull=True)
    if scope.superuser:
        return qs.filter(parent__isnull=True)
    return qs.filter(path__in=scope.paths_for("view"))


def with_child_flags(qs):
    """The nodes of a level of the tree, each with has_children and member_count: the people of its whole
    subtree (a committee holds none directly; its branches' people are its count), one query for the level."""
    active_children = Org.objects.filter(parent=OuterRef("pk"), dissolved_on__isnull=True)
    nodes = list(qs.annotate(has_children=Exists(active_children)))
    totals = registry.headcount().totals_in_subtrees([n.path for n in nodes])
    for node in nodes:
        node.member_count = totals.get(node.path, 0)
    return nodes


class OrgTreeView(ScopedView):
    def get(self, request):
        q = request.GET.get("q", "").strip()
        if q:  # the search: the organization list's own FilterSet (name or code; sortable by column)
            filterset, results = filter_then_restrict(OrgFilterSet, request)
            sorting.refuse_unknown(filterset)
            return render(request, "orgs/tree.html", {"q": q, "filter": filterset, "page": paginate(request, results)})
        return render(request, "orgs/tree.html", {"roots": with_child_flags(scope_roots(request.user))})


class OrgChildrenView(ScopedView):
    """htmx partial: the next level of the tree, loaded when a node is opened."""

    def get(self, request, pk):
        org = scoped_object(Org, request.user, pk)
        children = with_child_flags(org.children.filter(dissolved_on__isnull=True).order_by("code"))
        return render(request, "orgs/_children.html", {"nodes": children})


class OrgDetailView(ObjectView):
    model, template_name, context_name, page = Org, "orgs/detail.html", "org", "org"
    content_template = "orgs/_detail.html"  # kept per user, scope and write generation (core.pagecache)

    def get_extra_context(self, org, as_of) -> dict:
        ctx = {"rules": org.rules, "history": org.lines.select_related("parent"),
               # the log of the organization's own rows (itself, its lines, posts), not the whole subtree's
               "changes": scoped(ChangeRecord, self.request.user).filter(org_path=org.path).select_related("user")[:10]}
        if as_of:
            root, lines = services.lines_as_of(org, as_of)
            ctx["line"] = root
            if root:
                lines = list(lines)
                counts = services.member_counts_as_of([l.org_id for l in lines], as_of)
                ctx["children_as_of"] = [l for l in lines if l.parent_id == org.pk]
                ctx["subtree_orgs"] = len(lines)
                ctx["category_counts"] = _labelled(org, _sum_counts(counts.values()))
                ctx["ancestors_as_of"] = services.ancestors_as_of(root, as_of)
                ctx["leaders"] = services.leaders(org, as_of)
            return ctx
        # the roll-up's row of the organization read once: its own people and its subtree's (the counts and the
        # warnings), and its posts once (the vacancies and the warnings)
        own, subtree = registry.headcount().of_org(org)
        leaders = services.leaders(org)
        posts = {org.pk: Counter(h.post for h in leaders)}  # what post_counts() would read: today's holders
        return {
            **ctx,
            # the way up: a link where the user may read, the name alone above their scope (never a 404)
            "ancestors": [(a, scope_of(self.request.user).covers(a.path)) for a in org.ancestors()],
            "children": with_child_flags(org.children.filter(dissolved_on__isnull=True).order_by("code")),
            "direct_counts": _labelled(org, own),
            "category_counts": _labelled(org, subtree),
            "leaders": leaders,
            "vacancies": services.vacancies(org, posts[org.pk]),
            "election": services.election_status([org]).get(org.pk),  # none for a group: not an elected body
            "warnings": services.warnings_for([org], {org.pk: own}, posts).get(org.pk, []),
        }


def _sum_counts(dicts):
    out = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


def _labelled(org, counts):
    """Category counts in the profile's order and words."""
    rules = org.rules
    return [(c.label, counts.get(c.key, 0)) for c in rules.categories]


class OrgCreateView(ObjectActionView):
    form_class = forms.OrgCreateForm
    title = _("新建组织")

    def get_object(self):
        parent_id = id_param(self.request, "parent")
        if parent_id:
            return scoped_object(Org, self.request.user, parent_id, STRUCTURE)
        if not services.may_create_root(self.request.user):
            raise Http404  # no form that could never be sent: a new root is a superuser's
        return None

    def form_kwargs(self, parent):
        return {"parent": parent}

    def get_title(self, parent):
        return f"{self.title} · {_('上级')} {parent}" if parent else self.title

    def perform(self, parent, data):
        return services.create_org(self.request.user, parent=parent, **data)


class OrgEditView(ObjectActionView):
    model, form_class, action, title = Org, forms.OrgEditForm, STRUCTURE, _("修改组织")

    def form_kwargs(self, org):
        return {"org": org, "initial": {f: getattr(org, f) for f in ("code", "name", "kind", "sector")}}

    def perform(self, org, data):
        return services.update_org(self.request.user, org, **data)


class OrgMoveView(ObjectActionView):
    model, form_class, action, title = Org, forms.OrgMoveForm, STRUCTURE, _("调整隶属关系")

    def form_kwargs(self, org):
        return {"queryset": scoped(Org, self.request.user, STRUCTURE)}

    def perform(self, org, data):
        return services.move_org(self.request.user, org, data["parent"], on=data["on"], note=data["note"])


class OrgMergeView(ObjectActionView):
    model, form_class, action, title = Org, forms.OrgMergeForm, STRUCTURE, _("合并组织")

    def form_kwargs(self, org):
        return {"queryset": scoped(Org, self.request.user, STRUCTURE)}

    def perform(self, org, data):
        return services.merge_org(self.request.user, org, data["into"], on=data["on"], note=data["note"])


class OrgDissolveView(ObjectActionView):
    model, form_class, action, title = Org, forms.OrgDissolveForm, STRUCTURE, _("撤销组织")

    def perform(self, org, data):
        return services.dissolve_org(self.request.user, org, on=data["on"], note=data["note"])


class ElectionAddView(ObjectActionView):
    model, form_class, action, title = Org, forms.ElectionForm, CHANGE, _("登记换届")

    def perform(self, org, data):
        services.record_election(self.request.user, org, **data)
        return org


class PostAssignView(ObjectActionView):
    model, form_class, action, title = Org, forms.PostAssignForm, CHANGE, _("任命职务")

    def form_kwargs(self, org):
        return {"org": org, "pool": post_pool(self.request.user, org), "search": reverse("post_people", args=[org.pk])}

    def perform(self, org, data):
        services.assign_post(self.request.user, org, data["member"], data["post"], on=data["on"])
        return org


def post_pool(user, org) -> people.Pool:
    """Who the post form offers: who assign_post accepts (services.post_pool), in the user's scope."""
    return people.Pool(services.post_pool(org).restrict(user, CHANGE), services.post_eligible(org))


class PostPeopleView(people.SearchView):
    """The post form's people search (JSON, core.people), with the right to assign posts in the organization."""

    def pool(self, request, pk):
        return post_pool(request.user, scoped_object(Org, request.user, pk, CHANGE))


class OrgPickView(ScopedView):
    """The organization autocomplete of the lists' filters (JSON): organizations of the user's scope by a part
    of the name or the start of the code, exact matches and upper levels first, a page at a time with the
    count. `value` is what the filter box takes: the name where it names one organization of the scope,
    else the code."""

    def get(self, request):
        q = request.GET.get("q", "").strip()
        scope = Org.objects.restrict(request.user)
        qs = filtersets.matching(scope, q)
        exact = Case(When(Q(name=q) | Q(code__iexact=q), then=Value(0)), default=Value(1), output_field=IntegerField())
        found, paging = people.one_page(qs.annotate(exact=exact).select_related("parent").order_by("exact", "depth", "path"),
                                        int_param(request, "page", default=1, minimum=1), count=qs)
        shared = {n for n, c in Counter(scope.filter(name__in=[o.name for o in found]).values_list("name", flat=True)).items()
                  if c > 1}
        return JsonResponse({"results": [{"id": o.pk, "code": o.code, "name": o.name, "label": pick_label(o),
                                          "value": o.code if o.name in shared else o.name} for o in found], **paging})


def pick_label(o: Org) -> str:
    """An organization told apart from a namesake: its kind, its parent and its code."""
    facts = [o.kind_label, o.parent.name if o.parent else "", o.code, "" if o.active else str(_("已撤销"))]
    return f"{o.name}（{' · '.join(filter(None, facts))}）"


class PostEndView(ObjectActionView):
    model, form_class, action, title = PostHolding, forms.EndForm, CHANGE, _("免去职务")

    def success_url(self, holding, result):
        return holding.org.get_absolute_url()

    def perform(self, holding, data):
        return services.end_post(self.request.user, holding, on=data["on"])


ELECTION_STATES = ("attention", "all", "overdue", "due_soon", "none", "ok")


class ElectionListView(ScopedView):
    """Organizations whose election is overdue, due soon, or never recorded."""

    def get(self, request):
        state = choice_param(request, "state", ELECTION_STATES, default="attention")
        orgs = scoped(Org, request.user).filter(dissolved_on__isnull=True).order_by("path")
        status = services.election_status(orgs)
        wanted = {"attention": {"overdue", "due_soon", "none"}, "all": {"overdue", "due_soon", "none", "ok"}}.get(state, {state})
        rows = [(o, status[o.pk]) for o in orgs if o.pk in status and status[o.pk]["state"] in wanted]
        return render(request, "orgs/elections.html", {"page": paginate(request, rows), "state": state})


class WarningListView(ScopedView):
    def get(self, request):
        orgs = list(scoped(Org, request.user).filter(dissolved_on__isnull=True).order_by("path"))
        found = services.warnings_for(orgs)
        rows = [(o, found[o.pk]) for o in orgs if o.pk in found]
        return render(request, "orgs/warnings.html", {"page": paginate(request, rows)})
