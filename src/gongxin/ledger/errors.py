"""Errors of the log's reads (stable codes, docs/api.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import NotFound, ValidationFailed


class LeafNotFound(NotFound):
    code = "ledger.leaf_not_found"
    default_message = _("The log has no such leaf.")


class TreeSizeInvalid(ValidationFailed):
    code = "ledger.tree_size_invalid"
    default_message = _("The log has not reached this size, or the sizes are not in order.")


class LeafNotInTree(ValidationFailed):
    code = "ledger.leaf_not_in_tree"
    default_message = _("This leaf is not in a tree of this size.")
