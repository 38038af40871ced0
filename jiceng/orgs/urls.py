"""Organization pages and API (route names are global; each is declared to the permission matrix)."""
from django.urls import path

from . import views
from .api import OrgViewSet

urlpatterns = [
    path("orgs/", views.OrgTreeView.as_view(), name="org_tree"),
    path("orgs/pick/", views.OrgPickView.as_view(), name="org_pick"),
    path("orgs/add/", views.OrgCreateView.as_view(), name="org_add"),
    path("orgs/elections/", views.ElectionListView.as_view(), name="org_elections"),
    path("orgs/warnings/", views.WarningListView.as_view(), name="org_warnings"),
    path("orgs/<int:pk>/", views.OrgDetailView.as_view(), name="org_detail"),
    path("orgs/<int:pk>/children/", views.OrgChildrenView.as_view(), name="org_children"),
    path("orgs/<int:pk>/edit/", views.OrgEditView.as_view(), name="org_edit"),
    path("orgs/<int:pk>/move/", views.OrgMoveView.as_view(), name="org_move"),
    path("orgs/<int:pk>/merge/", views.OrgMergeView.as_view(), name="org_merge"),
    path("orgs/<int:pk>/dissolve/", views.OrgDissolveView.as_view(), name="org_dissolve"),
    path("orgs/<int:pk>/elections/add/", views.ElectionAddView.as_view(), name="election_add"),
    path("orgs/<int:pk>/posts/add/", views.PostAssignView.as_view(), name="post_add"),
    path("orgs/<int:pk>/posts/people/", views.PostPeopleView.as_view(), name="post_people"),
    path("posts/<int:pk>/end/", views.PostEndView.as_view(), name="post_end"),
]

api_routes = [("orgs", OrgViewSet, "api-org")]
