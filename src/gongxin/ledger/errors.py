"""Errors of the log's reads (stable codes, docs/api.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import GongxinError, NotFound, ValidationFailed


class LeafNotFound(NotFound):
    code = "ledger.leaf_not_found"
    default_message = _("The log has no such leaf.")


class TreeSizeInvalid(ValidationFailed):
    code = "ledger.tree_size_invalid"
    default_message = _("The log has not reached this size, or the sizes are not in order.")


class LeafNotInTree(ValidationFailed):
    code = "ledger.leaf_not_in_tree"
    default_message = _("This leaf is not in a tree of this size.")


# --- checkpoints and witnessing (decisions 064, 065) ---


class CheckpointUnavailable(GongxinError):
    code = "ledger.checkpoint_unavailable"
    status = 409
    default_message = _("The log has no signed checkpoint covering these entries yet.")


class CheckpointInconsistent(GongxinError):
    code = "ledger.checkpoint_inconsistent"
    status = 409
    default_message = _("The log's tree does not extend its last signed checkpoint; nothing was signed.")


class CosignatureRefused(GongxinError):
    code = "ledger.cosignature_refused"
    status = 422
    default_message = _("The cosignature is not from a configured witness or does not verify.")


class WitnessReportRefused(GongxinError):
    code = "ledger.witness_report_refused"
    status = 422
    default_message = _("The witness's report is not signed by a configured witness.")
