"""The Django admin, for commission superusers. It writes nothing the audit log does not hear of:

- people, organisations and parties are saved and deleted through `do_save_in_admin`/`do_delete_in_admin`,
  which record which fields changed (and the values the log may show: never a password or its hash);
  a password set on the admin's password page is recorded as `user.password_set`;
- contact points (edited inline on their organisation) go through the console's actions;
- API keys are created and revoked through the console's actions; once issued, a key's organisation,
  name, scopes and expiry are fixed (issue a new key instead), and keys are revoked, never deleted,
  so the log's `api_key:<prefix>` keeps meaning one key;
- duty shifts are read-only: roster changes go through the console, which enforces the no-overlap rule.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey as UnusedLibraryKey

from accounts.actions import (
    do_create_api_key,
    do_deactivate_user,
    do_delete_contact_point,
    do_delete_in_admin,
    do_record_password_set,
    do_revoke_api_key,
    do_save_contact_point,
    do_save_in_admin,
)
from accounts.models import ApiKey, ContactPoint, DutyShift, Organisation, Party, User, validate_scopes

# The library registers an admin for its own key model, whose table we leave unused (settings.py): a key
# made there would authenticate nothing.
admin.site.unregister(UnusedLibraryKey)

PASSWORD_FIELDS = {"password", "password1", "password2", "usable_password"}


def changed_fields(form) -> dict:
    """Field name → new value of what the form changed; the password fields are one field, "password"."""
    changed = {}
    for name in form.changed_data:
        if name in PASSWORD_FIELDS:
            changed["password"] = None
        else:
            changed[name] = form.cleaned_data.get(name)
    return changed


class RecordedAdmin(admin.ModelAdmin):
    """Saves and deletes through the actions that record them."""

    def save_model(self, request, obj, form, change):
        do_save_in_admin(obj, changed=changed_fields(form), actor=request.user)

    def delete_model(self, request, obj):
        do_delete_in_admin(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(User)
class UserAdmin(RecordedAdmin, DjangoUserAdmin):
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

    def user_change_password(self, request, id, form_url=""):
        # Django's own view writes the password (form.save()); it is recorded in the same transaction once
        # the view answers with its redirect to the person's page (a refused form re-renders, or redirects
        # back to itself).
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if (
                request.method == "POST"
                and isinstance(response, HttpResponseRedirect)
                and response.url != request.get_full_path()
            ):
                do_record_password_set(self.get_object(request, id), actor=request.user)
        return response


@admin.register(Party)
class PartyAdmin(RecordedAdmin):
    list_display = ["code", "name", "kind", "position"]


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(RecordedAdmin):
    list_display = ["code", "name", "party", "kind", "time_zone"]
    list_filter = ["party", "kind"]
    inlines = [ContactPointInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not ContactPoint:
            return super().save_formset(request, form, formset, change)
        for point in formset.save(commit=False):  # only the new and the changed ones
            do_save_contact_point(point, actor=request.user)
        for point in formset.deleted_objects:
            do_delete_contact_point(point, actor=request.user)


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    # Read-only here: roster changes go through the console, which enforces the no-overlap rule.
    list_display = ["organisation", "person", "kind", "starts_at", "ends_at", "is_override"]
    list_filter = ["organisation", "kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["organisation", "name", "scopes", "expiry_date", "revoked"]

    def clean(self):
        cleaned = super().clean()
        if "scopes" in cleaned:
            try:
                validate_scopes(cleaned["scopes"], cleaned.get("organisation"))
            except ValidationError as error:
                self.add_error("scopes", error)
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    form = ApiKeyForm
    list_display = [*APIKeyModelAdmin.list_display, "organisation"]
    list_filter = [*APIKeyModelAdmin.list_filter, "organisation"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "name", "scopes", "expiry_date"]
        return ["prefix", "organisation", "name", "scopes", "expiry_date", "created_by", "revoked", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["prefix", "organisation", "name", "scopes", "expiry_date", "created_by", "revoked_at"]
        return fixed + (["revoked"] if obj.revoked else [])

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            key, secret = do_create_api_key(
                organisation=obj.organisation,
                name=obj.name,
                scopes=obj.scopes,
                expires_at=obj.expiry_date,
                actor=request.user,
            )
            obj.pk, obj.prefix, obj._state.adding = key.pk, key.prefix, False
            messages.warning(
                request, f"The API key for {key.name} is: {secret} — store it now: it cannot be shown again."
            )
        elif "revoked" in form.changed_data and obj.revoked:
            do_revoke_api_key(ApiKey.objects.get(pk=obj.pk), actor=request.user)
