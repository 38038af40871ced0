"""The statistics page and its API (route names are global; each is declared in testing.py)."""
from django.urls import path

from . import views
from .api import AnnualAPIView, DashboardAPIView, ReportAPIView, StatsAPIView

urlpatterns = [path("stats/", views.StatsView.as_view(), name="stats_page"),
               path("stats/report/", views.ReportView.as_view(), name="stats_report"),
               path("stats/annual/", views.AnnualView.as_view(), name="stats_annual"),
               path("stats/dashboard/", views.DashboardView.as_view(), name="stats_dashboard")]
api_urlpatterns = [path("stats/", StatsAPIView.as_view(), name="api-stats"),
                   path("stats/report/", ReportAPIView.as_view(), name="api-stats-report"),
                   path("stats/annual/", AnnualAPIView.as_view(), name="api-stats-annual"),
                   path("stats/dashboard/", DashboardAPIView.as_view(), name="api-stats-dashboard")]
