"""Admin for consents and inquiries. Consents are granted by their subjects (self-service or API), so
the admin only browses them and revokes on a subject's behalf; inquiries are a log and strictly read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongxin.access.consents import consent_revoke
from gongxin.access.models import Consent, Inquiry
from gongxin.access.selectors import consent_state
from gongxin.accounts.viewer import viewer_for_user
from gongxin.core.admin import ReadOnlyAdmin
from gongxin.core.errors import GongxinError


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    # Only the subject grants (access.consents.consent_grant); queries made under a consent point at it,
    # so it is revoked (the action below), never deleted.
    list_display = ["id", "subject", "grantee_label", "purpose", "valid_from", "valid_until", "revoked_at",
                    "state"]
    list_filter = ["revoked_at"]
    search_fields = ["grantee_label", "purpose", "subject__name"]
    raw_id_fields = ["subject", "grantee_user", "grantee_client", "grantee_department", "granted_by"]
    list_select_related = ["subject"]
    date_hierarchy = "granted_at"
    actions = ["revoke_selected"]

    @admin.display(description=_("state"))
    def state(self, obj: Consent) -> str:
        return consent_state(obj)

    @admin.action(description=_("Revoke the selected consents on the subject's behalf"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Consent]) -> None:
        actor = viewer_for_user(request.user)
        revoked = 0
        for consent in queryset.filter(revoked_at__isnull=True):
            try:
                consent_revoke(consent=consent, actor=actor, reason=str(_("Revoked by the credit office")))
            except GongxinError as error:
                self.message_user(request, str(error.message), level=messages.ERROR)
                return
            revoked += 1
        self.message_user(request, _("%(count)d consent(s) revoked.") % {"count": revoked})


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject", "viewer_label", "purpose", "channel", "reason", "consent",
                    "records_shown"]
    list_filter = ["purpose", "channel"]
    search_fields = ["viewer_label", "reason", "subject__name"]
    raw_id_fields = ["subject", "viewer_user", "viewer_client", "viewer_department", "consent"]
    list_select_related = ["subject", "consent"]
    date_hierarchy = "created_at"
