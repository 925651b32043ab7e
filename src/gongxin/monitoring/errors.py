"""Errors of the monitoring app (stable codes, translated messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, GongxinError, NotFound, PermissionDenied


class MonitoringNotStaff(PermissionDenied):
    code = "monitoring.not_staff"
    default_message = _("Only credit office staff may do this.")


class ScorecardNotFound(NotFound):
    code = "monitoring.scorecard_not_found"
    default_message = _("No such scorecard.")


class NoActiveScorecard(Conflict):
    code = "monitoring.no_active_scorecard"
    default_message = _("No scorecard is active; train one and activate it first.")


class ScorecardNotDraft(Conflict):
    code = "monitoring.scorecard_not_draft"
    default_message = _("Only a draft scorecard can be activated.")


class TrainingDataInsufficient(GongxinError):
    code = "monitoring.training_data_insufficient"
    status = 422
    default_message = _("Not enough outcomes to train a scorecard (both outcomes and at least 20 subjects).")


class TrainingHorizonOpen(GongxinError):
    code = "monitoring.training_horizon_open"
    status = 422
    default_message = _("The outcome window after the snapshot date has not passed yet.")


class NoTrainingPolicy(Conflict):
    code = "monitoring.no_policy"
    default_message = _("No monitoring policy of this kind is in effect.")


class AlertNotFound(NotFound):
    code = "monitoring.alert_not_found"
    default_message = _("No such alert.")


class AlertClosed(Conflict):
    code = "monitoring.alert_closed"
    default_message = _("The alert is already closed.")


class SubjectNotOrganization(GongxinError):
    code = "monitoring.not_organization"
    status = 422
    default_message = _("Only organizations can be watched and scored.")


class MonitoringSubjectNotFound(NotFound):
    code = "monitoring.subject_not_found"
    default_message = _("No such subject.")


class WatchNotFound(NotFound):
    code = "monitoring.watch_not_found"
    default_message = _("No such watch.")


class WatchNotYours(GongxinError):
    code = "monitoring.not_your_watch"
    status = 422
    default_message = _("Only the person who started a watch can stop it.")
