from django.urls import path

from . import views
from .api import MobileViewSet, TransferViewSet

urlpatterns = [
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/accept/", views.AcceptView.as_view(), name="transfer_accept"),
    path("transfers/<int:pk>/return/", views.ReturnView.as_view(), name="transfer_return"),
    path("transfers/<int:pk>/cancel/", views.CancelView.as_view(), name="transfer_cancel"),
    path("transfers/<int:pk>/slip/", views.SlipView.as_view(), name="transfer_slip"),
    path("transfers/<int:pk>/letter.docx", views.LetterView.as_view(), name="transfer_letter"),
    path("transfers/member/<int:pk>/issue/", views.TransferIssueView.as_view(), name="transfer_issue"),
    path("transfers/incoming/", views.IncomingView.as_view(), name="transfer_incoming"),
    path("mobile/", views.MobileListView.as_view(), name="mobile_list"),
    path("mobile/<int:pk>/", views.MobileDetailView.as_view(), name="mobile_detail"),
    path("mobile/<int:pk>/return/", views.MobileReturnView.as_view(), name="mobile_return"),
    path("mobile/member/<int:pk>/add/", views.MobileAddView.as_view(), name="mobile_add"),
]

api_routes = [("transfers", TransferViewSet, "api-transfer"), ("mobile-members", MobileViewSet, "api-mobile")]
