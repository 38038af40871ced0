"""Core's own pages: home, sign-in, the change log, the import wizard and exports, the API's token and schema."""
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import import_views as imports
from . import account_views as account
from .account_api import RoleGrantViewSet
from . import job_views, views
from .search import SearchAPIView, SearchView
from .import_api import ExportAPIView, ImportViewSet
from .lockout import LoginView, TokenView

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("changes/", views.ChangeListView.as_view(), name="change_list"),
    path("search/", SearchView.as_view(), name="search"),
    path("account/", account.AccountView.as_view(), name="account"),
    path("account/password/", account.PasswordView.as_view(), name="password_change"),
    path("account/roles/", account.RoleListView.as_view(), name="role_list"),
    path("account/roles/add/", account.RoleGrantView.as_view(), name="role_add"),
    path("account/roles/<int:pk>/revoke/", account.RoleRevokeView.as_view(), name="role_revoke"),
    path("account/users/add/", account.AccountCreateView.as_view(), name="account_add"),
    path("account/users/<int:pk>/reset-password/", account.PasswordResetView.as_view(), name="password_reset"),
    path("imports/", imports.ImportListView.as_view(), name="import_list"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/confirm/", imports.ImportConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/cancel/", imports.ImportCancelView.as_view(), name="import_cancel"),
    path("imports/<int:pk>/report/", imports.ImportReportView.as_view(), name="import_report"),
    path("imports/template/<str:sheet>/", imports.TemplateView.as_view(), name="import_template"),
    path("export/<str:sheet>/", imports.ExportView.as_view(), name="export"),
    path("panels/<slug:page>/<slug:name>/<int:pk>/", views.LazyPanelView.as_view(), name="lazy_panel"),
    path("jobs/<int:pk>/", job_views.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/progress/", job_views.JobProgressView.as_view(), name="job_progress"),
    path("jobs/<int:pk>/file/", job_views.JobFileView.as_view(), name="job_file"),
    path("jobs/<int:pk>/cancel/", job_views.JobCancelView.as_view(), name="job_cancel"),
]

# under /api/: the router's viewsets, then the views of their own
api_routes = [("imports", ImportViewSet, "api-import"), ("roles", RoleGrantViewSet, "api-role")]
api_urlpatterns = [
    path("token/", TokenView.as_view(), name="api_token"),
    path("export/<str:sheet>/", ExportAPIView.as_view(), name="api_export"),
    path("search/", SearchAPIView.as_view(), name="api_search"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI with its settings script served as a file, not inline (Content-Security-Policy)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
