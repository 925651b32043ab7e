from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.models import CatalogItem

ACCEPTED = ".csv,.txt,.xlsx,.jsonl,.ndjson"


class _ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CatalogItem) -> str:
        return f"{obj.name}（{obj.code}）"


class BatchUploadForm(forms.Form):
    item = _ItemChoiceField(label=_("Catalog item"), queryset=CatalogItem.objects.none(), to_field_name="code")
    file = forms.FileField(label=_("File"), help_text=_(
        "CSV (UTF-8, GBK or GB18030), Excel .xlsx or JSON Lines, with the item's Chinese column headers or field "
        "codes."), widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}))

    def __init__(self, *args: Any, source_unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = CatalogItem.objects.filter(edition__is_current=True, is_active=True)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = items.filter(
            source_unit__isnull=True) | items.filter(source_unit_id=source_unit_id)
