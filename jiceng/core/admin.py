from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import ChangeBatch, ChangeRecord, ExportRecord, RoleGrant

User = get_user_model()


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1
    autocomplete_fields = ["org"]



admin.site.unregister(User)


@admin.register(User)
class JicengUserAdmin(UserAdmin):
    inlines = [RoleGrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "org"]
    list_filter = ["role"]
    search_fields = ["user__username", "org__name", "org__code"]
    autocomplete_fields = ["org", "user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The change log can be read but never edited, added to or deleted through the application."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ["time", "user", "channel", "action", "content_type", "object_repr", "request_id"]
    list_filter = ["action", "channel", "content_type"]
    search_fields = ["object_repr", "request_id"]


@admin.register(ChangeBatch)
class ChangeBatchAdmin(ReadOnlyAdmin):
    list_display = ["time", "user", "kind", "description"]


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    """Who took personal data out of the system or saw a full ID number: which filter or object, how many
    rows, from which request."""

    list_display = ["time", "user", "channel", "subject", "format", "rows", "id_numbers_shown", "filters", "request_id"]
    list_filter = ["subject", "channel", "id_numbers_shown"]
    search_fields = ["request_id", "user__username"]
