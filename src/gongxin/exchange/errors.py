"""Errors of the exchange (codes are public: docs/api.md, docs/exchange.md)."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class PackageRefused(ValidationFailed):
    """A package that is not opened: the receipt names the code and says why in words."""

    code = "exchange.package_refused"
    default_message = _("The data package was refused.")


class PackageUnsigned(PackageRefused):
    code = "exchange.package_unsigned"
    default_message = _("The data package carries no signature of its sender.")


class PackageBadSignature(PackageRefused):
    code = "exchange.package_bad_signature"
    default_message = _("The sender's signature does not match the package header.")


class PackageTampered(PackageRefused):
    code = "exchange.package_tampered"
    default_message = _("The package body does not match the content hash in its header: it was changed after "
                        "signing or damaged in transit.")


class PackageUnknownSender(PackageRefused):
    code = "exchange.package_unknown_sender"
    default_message = _("The package comes from a node that is not registered here as a peer, or was signed with a "
                        "key not registered for it.")


class PackageWrongReceiver(PackageRefused):
    code = "exchange.package_wrong_receiver"
    default_message = _("The package is addressed to another exchange node.")


class PackageMalformed(PackageRefused):
    code = "exchange.package_malformed"
    default_message = _("The data package cannot be read: it is not a package of the exchange format.")


class PackageUnsupportedVersion(PackageRefused):
    code = "exchange.package_unsupported_version"
    default_message = _("The data package is written in a format version this node does not read.")


class PackageUnknownItem(PackageRefused):
    code = "exchange.package_unknown_item"
    default_message = _("The package's national catalog item is not mapped to a catalog item here.")

    @classmethod
    def of(cls, *, item_code: str, sender: str) -> PackageUnknownItem:
        """The refusal for ``item_code`` from ``sender``, saying how the credit office maps it (in the language
        the message is read in)."""
        def words() -> str:
            return gettext(
                "No catalog item here is mapped to the national catalog item %(item)s. The credit office maps it "
                "with: gongxin exchange map %(item)s <local item code> [--peer %(peer)s] [--map national field=local "
                "field …]; then the package is sent again.") % {"item": item_code or "?", "peer": sender or "…"}

        return cls(lazy(words, str)(), details={"item_code": item_code})


class PackageSequenceReused(PackageRefused):
    code = "exchange.package_sequence_reused"
    default_message = _("Another package of this item from this sender already has this sequence number; a package "
                        "is sent again with its own GUID, never under a new one.")


class PackageNotApplied(PackageRefused):
    code = "exchange.package_not_applied"
    default_message = _("The package could not be applied: its records could not be read as the catalog item's.")


class SealFailed(PackageRefused):
    code = "exchange.seal_failed"
    default_message = _("A sealed personal identifier in the package cannot be opened with this node's keys.")


class NodeNotConfigured(NotFound):
    """Also the answer of the service interface on a platform that is no exchange node (404: no such service)."""

    code = "exchange.node_not_configured"
    default_message = _("This platform is not configured as an exchange node yet.")


class PeerNotFound(NotFound):
    code = "exchange.peer_not_found"
    default_message = _("No such exchange peer.")


class PeerInvalid(ValidationFailed):
    code = "exchange.peer_invalid"
    default_message = _("The exchange peer's details are not valid.")


class ReceiptNotFound(NotFound):
    code = "exchange.receipt_not_found"
    default_message = _("No receipt for this package.")


# Pull by cursor (exchange.pulling, decision 068).
class PullNotSigned(PermissionDenied):
    code = "exchange.pull_not_signed"
    status = 401
    default_message = _("Pulling packages needs a request signed with the key of a registered exchange peer.")


class PullBadSignature(PermissionDenied):
    code = "exchange.pull_bad_signature"
    status = 401
    default_message = _("The request's signature does not verify with a key of that peer valid at that time, or its "
                        "time is too far from this node's clock.")


# Push (exchange.api): the request is signed like a pull, over its length too, before a byte of the body is read.
class PushNotSigned(PermissionDenied):
    code = "exchange.push_not_signed"
    status = 401
    default_message = _("Pushing a data package needs a request signed with the key of a registered exchange peer.")


class PushBadSignature(PermissionDenied):
    code = "exchange.push_bad_signature"
    status = 401
    default_message = _("The push's signature does not verify with a key of that peer valid at that time, or its "
                        "time is too far from this node's clock, or it does not cover the body's length.")


class PushLengthRequired(ValidationFailed):
    code = "exchange.push_length_required"
    status = 411
    default_message = _("A pushed data package must be sent with its length (Content-Length).")


class PushTooLarge(ValidationFailed):
    code = "exchange.package_too_large"
    status = 413
    default_message = _("The data package is larger than this node accepts.")


class PackageNotFromPusher(PackageRefused):
    code = "exchange.package_not_from_pusher"
    default_message = _("The package was signed by another node than the peer that pushed it: a peer pushes only "
                        "its own packages.")


class StreamBusy(Conflict):
    """``--from-now``: transactions that began before the newest version was read still write (decision 076)."""

    code = "exchange.stream_busy"
    default_message = _("Record versions are being written by transactions that began before the newest one was "
                        "read; subscribe again once they have finished.")


class SubscriptionNotFound(NotFound):
    code = "exchange.subscription_not_found"
    default_message = _("This peer receives no such catalog item from this node.")


class PullAhead(Conflict):
    code = "exchange.pull_ahead"
    default_message = _("The sequence asked after was never sent for this item; ask after the last package "
                        "applied.")


class ReceivingMappingInvalid(ValidationFailed):
    code = "exchange.receiving_mapping_invalid"
    default_message = _("The receiving mapping is not valid.")
