"""Admission pages, under /admission/ (route names are global; the permission matrix lists each)."""
from django.urls import path

from . import dashboard_views, dossier, views

urlpatterns: list = [
    path("", views.ApplicationListView.as_view(), name="application_list"),
    path("start/", views.ApplicationStartView.as_view(), name="application_start"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("<int:pk>/record/<str:step>/", views.ApplicationRecordView.as_view(), name="application_record"),
    path("<int:pk>/attachment/<int:record>/", views.ApplicationAttachmentView.as_view(), name="application_attachment"),
    path("<int:pk>/stop/", views.ApplicationStopView.as_view(), name="application_stop"),
    path("<int:pk>/dossier/", dossier.dossier_view, name="application_dossier"),
    path("pipeline/", dashboard_views.PipelineView.as_view(), name="admission_pipeline"),
    path("plans/", dashboard_views.PlansView.as_view(), name="admission_plans"),
    path("plans/edit/", dashboard_views.PlanEditView.as_view(), name="admission_plan_edit"),
]
