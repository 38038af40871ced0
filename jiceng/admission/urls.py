"""Admission (发展) pages under /admission/ and its API (route names are global; each is declared to the
permission matrix)."""
from django.urls import include, path

from . import dashboard_views, dossier, views
from .api import ApplicationViewSet
from .api_dashboard import PipelineAPIView, PlansAPIView

urlpatterns = [path("admission/", include([
    path("", views.ApplicationListView.as_view(), name="application_list"),
    path("start/", views.ApplicationStartView.as_view(), name="application_start"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("<int:pk>/record/<str:step>/", views.ApplicationRecordView.as_view(), name="application_record"),
    path("<int:pk>/people/<str:step>/<str:field>/", views.ApplicationPeopleView.as_view(), name="application_people"),
    path("<int:pk>/attachment/<int:record>/", views.ApplicationAttachmentView.as_view(), name="application_attachment"),
    path("<int:pk>/stop/", views.ApplicationStopView.as_view(), name="application_stop"),
    path("<int:pk>/dossier/", dossier.dossier_view, name="application_dossier"),
    path("pipeline/", dashboard_views.PipelineView.as_view(), name="admission_pipeline"),
    path("plans/", dashboard_views.PlansView.as_view(), name="admission_plans"),
    path("plans/edit/", dashboard_views.PlanEditView.as_view(), name="admission_plan_edit"),
]))]

api_routes = [("admission/applications", ApplicationViewSet, "api-application")]
api_urlpatterns = [
    path("admission/pipeline/", PipelineAPIView.as_view(), name="api-admission-pipeline"),
    path("admission/plans/", PlansAPIView.as_view(), name="api-admission-plans"),
]
