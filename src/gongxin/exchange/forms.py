"""Forms of the exchange pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.exchange.choices import PeerDirection


class PeerForm(forms.Form):
    code = forms.RegexField(label=_("Division code"), regex=r"^\d{6}$", max_length=6,
                            help_text=_("Six digits of GB/T 2260 (the nation: 100000)."))
    name = forms.CharField(label=_("Name"), max_length=200)
    direction = forms.ChoiceField(label=_("Direction"), choices=PeerDirection.choices)
    service_url = forms.URLField(label=_("Service address"), required=False, max_length=500, assume_scheme="https",
                                 help_text=_("The peer's platform address, for packages pushed and pulled."))
    directory = forms.CharField(label=_("Exchange directory"), required=False, max_length=500,
                                help_text=_("For the file interface: the directory shared with the peer."))
    keys = forms.CharField(label=_("Public keys"), widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("As the peer's node shows them on its peers page."))
