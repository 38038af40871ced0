"""Admission pages, under /admission/ (route names are global; the permission matrix lists each)."""
from django.urls import path

urlpatterns: list = [
]
