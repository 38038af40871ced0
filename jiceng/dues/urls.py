from django.urls import path

from . import views
from .api import BasisViewSet, ComputeAPIView

urlpatterns = [
    path("dues/member/<int:pk>/basis/", views.BasisAddView.as_view(), name="dues_basis_add"),
]

api_routes = [("dues/basis", BasisViewSet, "api-dues-basis")]

api_urlpatterns = [path("dues/compute/", ComputeAPIView.as_view(), name="api-dues-compute")]
