from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework_api_key.admin import APIKeyModelAdmin

from accounts.actions import do_deactivate_user
from accounts.models import ApiKey, ContactPoint, DutyShift, Organisation, Party, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "role", "is_active"]
    list_filter = ["organisation__party", "role", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Hotline", {"fields": ("organisation", "role", "phone", "language", "time_zone")}),
    )

    def save_model(self, request, obj, form, change):
        # Unticking "active" goes through the action, which also ends the person's sessions and consoles.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True  # the action's conditional update turns it off
        super().save_model(request, obj, form, change)
        if deactivating:
            do_deactivate_user(obj, actor=request.user)


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "position"]


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "party", "kind", "time_zone"]
    list_filter = ["party", "kind"]
    inlines = [ContactPointInline]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    # Read-only here: roster changes go through the console, which enforces the no-overlap rule.
    list_display = ["organisation", "person", "kind", "starts_at", "ends_at", "is_override"]
    list_filter = ["organisation", "kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "organisation"]
    list_filter = [*APIKeyModelAdmin.list_filter, "organisation"]
