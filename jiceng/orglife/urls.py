"""Organizational life (组织生活) pages under /orglife/ and its API (route names are global; each is declared to
the permission matrix in testing.py)."""
from django.urls import include, path

from . import review_views, views
from .api import ComplianceAPIView, MeetingViewSet

urlpatterns = [path("orglife/", include([
    path("", views.MeetingListView.as_view(), name="meeting_list"),
    path("add/", views.MeetingAddView.as_view(), name="meeting_add"),
    path("<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("<int:pk>/attach/", views.MeetingAttachView.as_view(), name="meeting_attach"),
    path("<int:pk>/attachment/<int:attachment>/", views.MeetingAttachmentView.as_view(), name="meeting_attachment"),
    path("compliance/<int:pk>/", views.CalendarView.as_view(), name="orglife_calendar"),
    path("compliance/<int:pk>/subtree/", views.SubtreeView.as_view(), name="orglife_subtree"),
    path("review/", review_views.ReviewQueueView.as_view(), name="meeting_review_queue"),
    path("<int:pk>/review/", review_views.ReviewView.as_view(), name="meeting_review"),
    path("checks/", review_views.ChecksView.as_view(), name="orglife_checks"),
    path("checks/<int:pk>/<int:other>/", review_views.PairView.as_view(), name="orglife_pair"),
]))]

api_routes = [("orglife/meetings", MeetingViewSet, "api-meeting")]
api_urlpatterns = [path("orglife/compliance/", ComplianceAPIView.as_view(), name="api-orglife-compliance")]
