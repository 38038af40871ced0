from django.urls import path

from . import views
from .api import (BasisViewSet, CloseViewSet, ComputeAPIView, CorrectionViewSet, LedgerAPIView, PaymentViewSet,
                  ReductionViewSet)

urlpatterns = [
    path("dues/", views.HomeView.as_view(), name="dues_home"),
    path("dues/org/<int:pk>/", views.LedgerView.as_view(), name="dues_ledger"),
    path("dues/member/<int:pk>/basis/", views.BasisAddView.as_view(), name="dues_basis_add"),
    path("dues/member/<int:pk>/pay/", views.PaymentAddView.as_view(), name="dues_payment_add"),
    path("dues/member/<int:pk>/correct/", views.CorrectionAddView.as_view(), name="dues_correction_add"),
    path("dues/member/<int:pk>/reduce/", views.ReductionAddView.as_view(), name="dues_reduction_add"),
    path("dues/reduction/<int:pk>/approve/", views.ReductionApproveView.as_view(), name="dues_reduction_approve"),
    path("dues/org/<int:pk>/close/", views.CloseView.as_view(), name="dues_close"),
    path("dues/org/<int:pk>/export/", views.LedgerExportView.as_view(), name="dues_ledger_export"),
    path("dues/org/<int:pk>/closings/", views.ClosingsView.as_view(), name="dues_closings"),
]

api_routes = [("dues/basis", BasisViewSet, "api-dues-basis"), ("dues/payments", PaymentViewSet, "api-dues-payment"),
              ("dues/closes", CloseViewSet, "api-dues-close"), ("dues/corrections", CorrectionViewSet, "api-dues-correction"),
              ("dues/reductions", ReductionViewSet, "api-dues-reduction")]

api_urlpatterns = [
    path("dues/compute/", ComputeAPIView.as_view(), name="api-dues-compute"),
    path("dues/ledger/", LedgerAPIView.as_view(), name="api-dues-ledger"),
]
