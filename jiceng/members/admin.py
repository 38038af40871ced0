from django.contrib import admin

from .models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """Superusers link a member record to a login account here; archive edits go through the app's forms."""

    list_display = ["name", "org", "category", "account"]
    search_fields = ["name", "phone"]
    fields = ["name", "org", "category", "account"]
    readonly_fields = ["name", "org", "category"]
    autocomplete_fields = ["account"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
