"""The project's routes: each app's `urls.py` (its pages in `urlpatterns`, its API in `api_routes` for the
router and `api_urlpatterns` under /api/), in the order of INSTALLED_APPS. An app adds routes in its own
`urls.py`; nothing here names one."""
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter


def _url_modules():
    for config in apps.get_app_configs():
        if config.name.startswith("jiceng.") and find_spec(f"{config.name}.urls"):
            yield import_module(f"{config.name}.urls")


router = DefaultRouter()
pages, api = [], []
for module in _url_modules():
    pages += getattr(module, "urlpatterns", [])
    api += getattr(module, "api_urlpatterns", [])
    for prefix, viewset, basename in getattr(module, "api_routes", []):
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    *pages,
    path("api/", include(api)),
    path("api/", include(router.urls)),
    path("admin/", admin.site.urls),
]

handler404 = "jiceng.core.api.not_found"  # JSON under /api/
