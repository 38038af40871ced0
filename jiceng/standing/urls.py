from django.urls import path

from . import views
from .api import LostContactViewSet, LostProposalsAPIView, ReasonViewSet, SixMonthsAPIView, WatchAPIView

urlpatterns = [
    path("standing/", views.HomeView.as_view(), name="standing_home"),
    path("standing/org/<int:pk>/", views.ListView.as_view(), name="standing_list"),
    path("standing/org/<int:pk>/lost-contact/", views.LostListView.as_view(), name="standing_lost"),
    path("standing/member/<int:pk>/reason/", views.ReasonAddView.as_view(), name="standing_reason_add"),
    path("standing/reason/<int:pk>/end/", views.ReasonEndView.as_view(), name="standing_reason_end"),
    path("standing/member/<int:pk>/lost-contact/", views.LostAddView.as_view(), name="standing_lost_add"),
    path("standing/lost-contact/<int:pk>/restore/", views.RestoreView.as_view(), name="standing_lost_restore"),
    path("standing/lost-contact/<int:pk>/suspend/", views.SuspendView.as_view(), name="standing_lost_suspend"),
    path("standing/lost-contact/<int:pk>/remove/", views.RemoveView.as_view(), name="standing_lost_remove"),
]

api_routes = [("standing/reasons", ReasonViewSet, "api-standing-reason"),
              ("standing/lost-contacts", LostContactViewSet, "api-standing-lost")]

api_urlpatterns = [
    path("standing/watch/", WatchAPIView.as_view(), name="api-standing-watch"),
    path("standing/six-months/", SixMonthsAPIView.as_view(), name="api-standing-six-months"),
    path("standing/lost-contact/", LostProposalsAPIView.as_view(), name="api-standing-lost-proposals"),
]
