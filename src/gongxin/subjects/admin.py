"""Admin for subjects: mostly for looking, since subjects are registered through services.

New subjects come from ``subjects.services`` (registry feeds, ingest, the demo), never from a form:
a form could not seal a RIN or emit the creation event. Edits of descriptive fields are allowed and
announced on the outbox as ``subjects.subject.updated`` (the admin saves inside one transaction). A person's
RIN is shown masked only; its sealed value and lookup hash are never displayed. Nothing is deleted here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.core.events import IDENTIFIER_CHANGED, RELATION_CHANGED, SUBJECT_UPDATED
from gongxin.core.outbox import event_emit
from gongxin.subjects.identifiers import (
    identifier_normalize,
    rin_is_valid,
    rin_lookup_hash,
    rin_normalize,
    uscc_normalize,
)
from gongxin.subjects.models import Organization, Person, Relation, Subject, SubjectIdentifier


def _actor(request: HttpRequest) -> str:
    return f"admin:{request.user.get_username()}"


class _AuditedAdmin(admin.ModelAdmin):
    """Saves emit an outbox event on the subject concerned; deleting is not offered."""

    topic = SUBJECT_UPDATED

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _subject_id(self, obj: Any) -> int:
        return obj.subject_id

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        subject_id = self._subject_id(obj)
        event_emit(
            topic=self.topic,
            aggregate_type="subject",
            aggregate_id=subject_id,
            subject_id=subject_id,
            payload={
                "model": obj._meta.model_name,
                "object_id": obj.pk,
                "changed": sorted(form.changed_data),
                "actor": _actor(request),
            },
        )


@admin.register(Subject)
class SubjectAdmin(_AuditedAdmin):
    list_display = ["id", "name", "kind", "region_code", "needs_enrichment", "created_at"]
    list_filter = ["kind", "needs_enrichment"]
    search_fields = ["name", "organization__uscc"]
    readonly_fields = ["kind", "created_at"]
    fields = ["kind", "name", "region_code", "needs_enrichment", "created_at"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _subject_id(self, obj: Any) -> int:
        return obj.pk

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # A full RIN is searched by its keyed hash, never by the plain value.
        if rin_is_valid(search_term):
            digest = rin_lookup_hash(rin_normalize(search_term))
            return queryset.filter(person__rin_hash=digest), False
        term = uscc_normalize(search_term) if len(uscc_normalize(search_term)) == 18 else search_term
        return super().get_search_results(request, queryset, term)


@admin.register(Organization)
class OrganizationAdmin(_AuditedAdmin):
    list_display = ["uscc", "subject", "org_kind", "status", "legal_representative", "registration_date"]
    list_filter = ["org_kind", "status"]
    search_fields = ["uscc", "subject__name"]
    list_select_related = ["subject"]
    readonly_fields = ["subject", "uscc"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    # View-only: the page shows the masked RIN; nothing here may change.
    list_display = ["subject_id", "subject", "rin_masked"]
    list_select_related = ["subject"]
    search_fields = ["subject__name"]
    # Only these are displayed: ``rin_sealed`` and ``rin_hash`` never reach a page.
    fields = ["subject", "rin_masked"]
    readonly_fields = ["subject", "rin_masked"]
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        if rin_is_valid(search_term):
            return queryset.filter(rin_hash=rin_lookup_hash(rin_normalize(search_term))), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(SubjectIdentifier)
class SubjectIdentifierAdmin(_AuditedAdmin):
    list_display = ["value", "scheme", "subject"]
    list_filter = ["scheme"]
    search_fields = ["value", "subject__name"]
    list_select_related = ["subject"]
    raw_id_fields = ["subject"]
    topic = IDENTIFIER_CHANGED

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        obj.value = identifier_normalize(obj.value)
        super().save_model(request, obj, form, change)


@admin.register(Relation)
class RelationAdmin(_AuditedAdmin):
    list_display = ["from_subject", "kind", "to_subject", "share_ratio", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["from_subject__name", "to_subject__name"]
    list_select_related = ["from_subject", "to_subject"]
    raw_id_fields = ["from_subject", "to_subject"]
    topic = RELATION_CHANGED

    def _subject_id(self, obj: Any) -> int:
        return obj.from_subject_id
