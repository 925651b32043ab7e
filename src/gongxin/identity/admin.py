"""Unified identity in the admin: the bindings and their audit, read-only (a binding changes only by a sign-in)."""

from django.contrib import admin

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.identity.models import ExternalIdentity, IdentityEvent


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(ReadOnlyAdmin):
    list_display = ["issuer", "external_subject", "kind", "user", "subject", "assurance", "last_signed_in_at"]
    list_filter = ["kind", "assurance", "issuer"]
    search_fields = ["external_subject", "user__username"]
    exclude = ["claim_key"]


@admin.register(IdentityEvent)
class IdentityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "issuer", "external_subject", "binding", "conflicting_binding", "assurance",
                    "reason"]
    list_filter = ["action"]
    search_fields = ["external_subject"]
