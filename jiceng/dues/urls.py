from django.urls import path

from . import views
from .api import BasisViewSet, ComputeAPIView, LedgerAPIView, PaymentViewSet

urlpatterns = [
    path("dues/", views.HomeView.as_view(), name="dues_home"),
    path("dues/org/<int:pk>/", views.LedgerView.as_view(), name="dues_ledger"),
    path("dues/member/<int:pk>/basis/", views.BasisAddView.as_view(), name="dues_basis_add"),
    path("dues/member/<int:pk>/pay/", views.PaymentAddView.as_view(), name="dues_payment_add"),
]

api_routes = [("dues/basis", BasisViewSet, "api-dues-basis"), ("dues/payments", PaymentViewSet, "api-dues-payment")]

api_urlpatterns = [
    path("dues/compute/", ComputeAPIView.as_view(), name="api-dues-compute"),
    path("dues/ledger/", LedgerAPIView.as_view(), name="api-dues-ledger"),
]
