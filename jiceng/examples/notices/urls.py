from django.urls import path

from . import views
from .api import NoticeViewSet

urlpatterns = [
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/add/", views.NoticeAddView.as_view(), name="notice_add"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("notices/<int:pk>/edit/", views.NoticeEditView.as_view(), name="notice_edit"),
]

api_routes = [("notices", NoticeViewSet, "api-notice")]
