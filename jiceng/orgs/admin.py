from django.contrib import admin

from .models import Org


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    """Browsing and search for superusers; structural changes go through the dated forms in the app."""

    list_display = ["code", "name", "kind", "profile", "sector", "founded_on", "dissolved_on"]
    list_filter = ["profile", "kind", "sector"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "kind", "profile", "sector", "parent", "founded_on", "dissolved_on"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
