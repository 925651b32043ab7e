"""The subjects app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, ValidationFailed


class InvalidUscc(ValidationFailed):
    code = "subject.invalid_uscc"
    default_message = _("This is not a valid unified social credit code.")


class InvalidRin(ValidationFailed):
    code = "subject.invalid_rin"
    default_message = _("This is not a valid resident identity number.")


class SubjectInvalid(ValidationFailed):
    code = "subject.invalid"
    default_message = _("The subject's data is not valid.")


class SubjectConflict(Conflict):
    code = "subject.duplicate"
    default_message = _("This subject is already registered.")


class IdentifierDuplicate(SubjectConflict):
    """An alias code (an older registration number ...) that already belongs to another subject."""

    code = "subject.duplicate_identifier"
    default_message = _("This code already belongs to another subject.")


class RelationDuplicate(SubjectConflict):
    code = "subject.duplicate_relation"
    default_message = _("This relation is already recorded.")


class SubjectNotFound(NotFound):
    """Unknown, or not visible to the viewer (persons for the public): the one "not found" of subjects, so
    ids and codes cannot be enumerated to learn who is a subject."""

    code = "subject.not_found"
    default_message = _("No such subject.")
