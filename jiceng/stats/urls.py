"""The statistics page and its API (route names are global; each is declared in testing.py)."""
from django.urls import path

from . import views
from .api import DashboardAPIView, StatsAPIView

urlpatterns = [path("stats/", views.StatsView.as_view(), name="stats_page"),
               path("stats/dashboard/", views.DashboardView.as_view(), name="stats_dashboard")]
api_urlpatterns = [path("stats/", StatsAPIView.as_view(), name="api-stats"),
                   path("stats/dashboard/", DashboardAPIView.as_view(), name="api-stats-dashboard")]
