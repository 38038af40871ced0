from django.urls import path

from .api import ComputeAPIView

urlpatterns: list = []

api_urlpatterns = [path("dues/compute/", ComputeAPIView.as_view(), name="api-dues-compute")]
