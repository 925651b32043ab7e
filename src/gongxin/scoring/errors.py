"""The scoring app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class ModelNotFound(NotFound):
    code = "scoring.model_not_found"
    default_message = _("No such scoring model.")


class ModelInvalid(ValidationFailed):
    code = "scoring.model_invalid"
    default_message = _("The scoring model is not consistent; see the details.")


class ModelNotDraft(Conflict):
    code = "scoring.model_not_draft"
    default_message = _("Only a draft model can be changed or activated.")


class ScoreNotVisible(PermissionDenied):
    code = "scoring.not_visible"
    default_message = _("You may not see this subject's credit evaluation.")


class FieldNotFound(NotFound):
    code = "scoring.unknown_field"
    default_message = _("No such regulatory field.")


class NotRegulator(PermissionDenied):
    code = "scoring.not_regulator"
    default_message = _("Only the field's regulator or the credit office may set its supervision rules.")


class RateOutOfBand(ValidationFailed):
    code = "scoring.rate_out_of_band"
    default_message = _("The inspection rate is outside the band the rules allow for this class.")


class PartnerNotFound(NotFound):
    code = "scoring.unknown_partner"
    default_message = _("No such partner score scheme.")


class PartnerScoreOutOfScale(ValidationFailed):
    code = "scoring.partner_score_out_of_scale"
    default_message = _("The score is outside the partner scheme's scale.")


class NotStaff(PermissionDenied):
    code = "scoring.not_staff"
    default_message = _("Only the credit office may change scoring models.")
