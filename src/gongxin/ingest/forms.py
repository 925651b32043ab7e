from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.models import CatalogItem
from gongxin.catalog.selectors import items_current

ACCEPTED = ".csv,.txt,.xlsx,.jsonl,.ndjson"


class _ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CatalogItem) -> str:
        return str(obj.name)


class BatchUploadForm(forms.Form):
    item = _ItemChoiceField(label=_("Catalog item"), queryset=CatalogItem.objects.none(), to_field_name="code")
    file = forms.FileField(label=_("File"), help_text=_(
        "CSV (UTF-8, GBK or GB18030), Excel .xlsx or JSON Lines, with the item's Chinese column headers or field "
        "codes."), widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}))
    snapshot = forms.BooleanField(label=_("Full snapshot"), required=False, help_text=_(
        "The file holds every record of this item the unit keeps in force. Unchanged rows write nothing; records "
        "the file no longer holds are revoked only after you confirm how many."))

    def __init__(self, *args: Any, source_unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = items_current().filter(
            Q(source_unit__isnull=True) | Q(source_unit_id=source_unit_id))
