"""Member pages and API (route names are global; each is declared to the permission matrix)."""
from django.urls import path

from . import views
from .api import MemberViewSet

urlpatterns = [
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/add/", views.MemberCreateView.as_view(), name="member_add"),
    path("me/record/", views.MyRecordView.as_view(), name="my_record"),
    path("me/phone/", views.MyPhoneView.as_view(), name="my_phone"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/category/", views.MemberCategoryView.as_view(), name="member_category"),
    path("members/<int:pk>/exit/", views.MemberExitView.as_view(), name="member_exit"),
    path("members/<int:pk>/exit/cancel/", views.MemberExitCancelView.as_view(), name="member_exit_cancel"),
    path("members/<int:pk>/account/", views.MemberAccountView.as_view(), name="member_account"),
    path("members/<int:pk>/transfer/", views.MemberTransferView.as_view(), name="member_transfer"),
    path("members/<int:pk>/participation/", views.ParticipationAddView.as_view(), name="participation_add"),
    path("participation/<int:pk>/end/", views.ParticipationEndView.as_view(), name="participation_end"),
]

api_routes = [("members", MemberViewSet, "api-member")]
