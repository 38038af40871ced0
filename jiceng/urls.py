from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from jiceng.admission.api import ApplicationViewSet
from jiceng.admission.api_dashboard import PipelineAPIView, PlansAPIView
from jiceng.core import import_views as imports
from jiceng.core.import_api import ExportAPIView, ImportJobViewSet
from jiceng.core import views as core
from jiceng.core.lockout import TokenView
from jiceng.members import views as members
from jiceng.members.api import MemberViewSet
from jiceng.orgs import views as orgs
from jiceng.orgs.api import OrgViewSet

router = DefaultRouter()
router.register("orgs", OrgViewSet, basename="api-org")
router.register("members", MemberViewSet, basename="api-member")
router.register("imports", ImportJobViewSet, basename="api-import")
router.register("admission/applications", ApplicationViewSet, basename="api-application")

urlpatterns = [
    path("", core.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("changes/", core.ChangeListView.as_view(), name="change_list"),
    # import and export
    path("imports/", imports.ImportListView.as_view(), name="import_list"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/confirm/", imports.ImportConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/cancel/", imports.ImportCancelView.as_view(), name="import_cancel"),
    path("imports/<int:pk>/report/", imports.ImportReportView.as_view(), name="import_report"),
    path("imports/template/<str:kind>/", imports.TemplateView.as_view(), name="import_template"),
    path("export/<str:kind>/", imports.ExportView.as_view(), name="export"),
    # organizations
    path("orgs/", orgs.OrgTreeView.as_view(), name="org_tree"),
    path("orgs/add/", orgs.OrgCreateView.as_view(), name="org_add"),
    path("orgs/elections/", orgs.ElectionListView.as_view(), name="org_elections"),
    path("orgs/warnings/", orgs.WarningListView.as_view(), name="org_warnings"),
    path("orgs/<int:pk>/", orgs.OrgDetailView.as_view(), name="org_detail"),
    path("orgs/<int:pk>/children/", orgs.OrgChildrenView.as_view(), name="org_children"),
    path("orgs/<int:pk>/edit/", orgs.OrgEditView.as_view(), name="org_edit"),
    path("orgs/<int:pk>/move/", orgs.OrgMoveView.as_view(), name="org_move"),
    path("orgs/<int:pk>/merge/", orgs.OrgMergeView.as_view(), name="org_merge"),
    path("orgs/<int:pk>/dissolve/", orgs.OrgDissolveView.as_view(), name="org_dissolve"),
    path("orgs/<int:pk>/elections/add/", orgs.ElectionAddView.as_view(), name="election_add"),
    path("orgs/<int:pk>/posts/add/", orgs.PostAssignView.as_view(), name="post_add"),
    path("posts/<int:pk>/end/", orgs.PostEndView.as_view(), name="post_end"),
    # members
    path("members/", members.MemberListView.as_view(), name="member_list"),
    path("members/add/", members.MemberCreateView.as_view(), name="member_add"),
    path("members/<int:pk>/", members.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", members.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/category/", members.MemberCategoryView.as_view(), name="member_category"),
    path("members/<int:pk>/transfer/", members.MemberTransferView.as_view(), name="member_transfer"),
    path("members/<int:pk>/participation/", members.ParticipationAddView.as_view(), name="participation_add"),
    path("participation/<int:pk>/end/", members.ParticipationEndView.as_view(), name="participation_end"),
    # admission (发展)
    path("admission/", include("jiceng.admission.urls")),
    # API
    path("api/admission/pipeline/", PipelineAPIView.as_view(), name="api-admission-pipeline"),
    path("api/admission/plans/", PlansAPIView.as_view(), name="api-admission-plans"),
    path("api/", include(router.urls)),
    path("api/token/", TokenView.as_view(), name="api_token"),
    path("api/export/<str:kind>/", ExportAPIView.as_view(), name="api_export"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI with its settings script served as a file, not inline (Content-Security-Policy)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]

handler404 = "jiceng.core.api.not_found"  # JSON under /api/
