"""The event catalog: every outbox topic, its meaning, the app that emits it and its payload keys.

Topics are a public contract: they reach business systems as the ``X-Gongxin-Topic`` webhook header and the
``topic`` of change-feed items (docs/api.md, "Event catalog"). They are named one way,
``<app>.<entity>.<event>``: the emitting app's label, the aggregate the event is about, and what happened as a
past-tense phrase (``records.record.created``, ``objections.objection.extension_requested``). Emitters pass
the constants below; consumers compare with them; ``core.outbox`` refuses a topic that is not listed here,
and a test scans ``src/`` so that no topic is spelled anywhere else.

``CATALOG_VERSION`` changes whenever a topic is renamed or removed (adding one is compatible).
``RENAMED_IN_V2`` is the frozen map of catalog v1 names (before topics were named one way) to v2 names; the
data migrations of the outbox, the deliveries, the objection and repair audit rows and the notices apply it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CATALOG_VERSION = 2


@dataclass(frozen=True)
class Topic:
    name: str
    owner: str  # the app that emits it
    aggregate_type: str  # OutboxEvent.aggregate_type of its events
    meaning: str
    payload: tuple[str, ...]  # the payload's keys
    subject: bool  # its events name a subject (subject_id), so subscriptions can receive them


CATALOG: dict[str, Topic] = {}


def _topic(name: str, *, aggregate: str, meaning: str, payload: tuple[str, ...], subject: bool = True) -> str:
    owner, entity, event = name.split(".")
    assert owner and entity and event and name not in CATALOG, name
    CATALOG[name] = Topic(name=name, owner=owner, aggregate_type=aggregate, meaning=meaning, payload=payload,
                          subject=subject)
    return name


def topics_of(owner: str) -> frozenset[str]:
    """The topics an app emits (consumers that ignore their own app's events use this)."""
    return frozenset(t.name for t in CATALOG.values() if t.owner == owner)


# --- records: one topic per kind of record version (records.choices.ChangeKind) --------------------------
_RECORD = ("version", "item", "status", "polarity")
RECORD_CREATED = _topic("records.record.created", aggregate="record", payload=_RECORD,
                        meaning="A record was taken in (its first version).")
RECORD_CORRECTED = _topic("records.record.corrected", aggregate="record", payload=_RECORD,
                          meaning="A record was corrected (a new version).")
RECORD_REVOKED = _topic("records.record.revoked", aggregate="record", payload=_RECORD,
                        meaning="The source unit revoked a record.")
RECORD_OBJECTION_MARKED = _topic("records.record.objection_marked", aggregate="record", payload=_RECORD,
                                 meaning="A record is marked as under objection.")
RECORD_OBJECTION_CLEARED = _topic("records.record.objection_cleared", aggregate="record", payload=_RECORD,
                                  meaning="A record's objection mark was cleared.")
RECORD_REPAIRED = _topic("records.record.repaired", aggregate="record", payload=_RECORD,
                         meaning="A negative record was repaired: its publicity ended early.")
RECORD_PUBLICITY_ENDED = _topic("records.record.publicity_ended", aggregate="record", payload=_RECORD,
                                meaning="A record's publicity period ended.")
RECORD_RETENTION_ENDED = _topic("records.record.retention_ended", aggregate="record", payload=_RECORD,
                                meaning="A record's retention period ended (archived).")
RECORD_RETENTION_EXTENDED = _topic("records.record.retention_extended", aggregate="record", payload=_RECORD,
                                   meaning="A record's retention period was extended.")
RECORD_LIST_REMOVED = _topic("records.record.list_removed", aggregate="record", payload=_RECORD,
                             meaning="A subject was removed from a red or black list.")


def record_topic(change: str) -> str:
    """The topic of a record version of kind ``change`` (a records.choices.ChangeKind value)."""
    name = f"records.record.{change}"
    if name not in CATALOG:
        raise KeyError(f"no topic for record change {change!r}")
    return name


# --- subjects --------------------------------------------------------------------------------------------
SUBJECT_CREATED = _topic(
    "subjects.subject.created", aggregate="subject",
    payload=("kind", "uscc", "name", "org_kind", "region_code", "needs_enrichment", "actor"),
    meaning="A subject was registered (persons: no name, no RIN; uscc and name for organizations only).")
SUBJECT_UPDATED = _topic("subjects.subject.updated", aggregate="subject",
                         payload=("model", "object_id", "changed", "actor"),
                         meaning="Staff changed a subject's data in the administration.")
IDENTIFIER_ADDED = _topic("subjects.identifier.added", aggregate="subject",
                          payload=("identifier_id", "scheme", "value", "actor"),
                          meaning="An identifier (e.g. a former registration number) was added to a subject.")
IDENTIFIER_CHANGED = _topic("subjects.identifier.changed", aggregate="subject",
                            payload=("model", "object_id", "changed", "actor"),
                            meaning="Staff changed a subject's identifier in the administration.")
RELATION_ADDED = _topic("subjects.relation.added", aggregate="subject",
                        payload=("relation_id", "kind", "from_subject_id", "to_subject_id", "share_ratio", "start_date",
                                 "end_date", "record_id", "actor"),
                        meaning="A relation (legal representative, shareholder ...) was added to a subject.")
RELATION_CHANGED = _topic("subjects.relation.changed", aggregate="subject",
                          payload=("model", "object_id", "changed", "actor"),
                          meaning="Staff changed a relation in the administration.")
# The relation projection of the registration-relation records (subjects.services.relations_apply, docs/monitoring.md):
# started (RELATION_ADDED, with the record), corrected, ended. Their subject is the relation's from-side (the person or
# the holding firm); ``to_subject_id`` is the organization it is related to.
_RELATION = ("relation_id", "kind", "from_subject_id", "to_subject_id", "share_ratio", "start_date", "end_date",
             "record_id", "actor")
RELATION_CORRECTED = _topic("subjects.relation.corrected", aggregate="subject", payload=(*_RELATION, "changed"),
                            meaning="A relation's registration was corrected (kind, share, dates or party).")
RELATION_ENDED = _topic("subjects.relation.ended", aggregate="subject", payload=_RELATION,
                        meaning="A relation ended (its end date was registered, or its record was revoked).")

# --- accounts (also the audit action codes of AgentMandateEvent) -----------------------------------------
_MANDATE = ("organization_id", "agent_id", "capabilities", "valid_from", "valid_until", "actor")
AGENT_AUTHORIZED = _topic("accounts.agent.authorized", aggregate="agent_mandate", payload=_MANDATE, subject=False,
                          meaning="A firm's legal representative authorized a person as the firm's agent.")
AGENT_REVOKED = _topic("accounts.agent.revoked", aggregate="agent_mandate", payload=(*_MANDATE, "revoked_at"),
                       subject=False, meaning="A firm's agent's authorization was revoked.")

# --- access ----------------------------------------------------------------------------------------------
_CONSENT = ("grantee_kind", "grantee_id", "grantee_label", "purpose", "scope", "valid_from", "valid_until", "actor")
CONSENT_GRANTED = _topic("access.consent.granted", aggregate="consent", payload=_CONSENT,
                         meaning="A subject authorized someone to query its non-public records.")
CONSENT_REVOKED = _topic("access.consent.revoked", aggregate="consent", payload=(*_CONSENT, "revoked_at"),
                         meaning="A subject withdrew a consent.")

# --- objections (also the audit action codes of ObjectionEvent and the notice codes) --------------------
_OBJECTION = ("number", "record", "status", "round")
OBJECTION_FILED = _topic("objections.objection.filed", aggregate="objection", payload=(*_OBJECTION, "ground"),
                         meaning="A subject filed an objection to a record.")
OBJECTION_EVIDENCE_ADDED = _topic("objections.objection.evidence_added", aggregate="objection",
                                  payload=("number", "files"), meaning="Evidence was added to an objection.")
OBJECTION_ACCEPTED = _topic("objections.objection.accepted", aggregate="objection",
                            payload=(*_OBJECTION, "due_date"),
                            meaning="The credit office accepted an objection for handling.")
OBJECTION_REJECTED = _topic("objections.objection.rejected", aggregate="objection", payload=_OBJECTION,
                            meaning="The credit office did not accept an objection.")
OBJECTION_FORWARDED = _topic("objections.objection.forwarded", aggregate="objection", payload=_OBJECTION,
                             meaning="An objection was forwarded to the record's source unit.")
OBJECTION_EXTENSION_REQUESTED = _topic(
    "objections.objection.extension_requested", aggregate="objection", payload=("number", "working_days"),
    meaning="The source unit asked for more time (internal: not shown to the subject).")
OBJECTION_EXTENDED = _topic("objections.objection.extended", aggregate="objection",
                            payload=(*_OBJECTION, "due_date", "working_days"),
                            meaning="An objection's deadline was extended.")
OBJECTION_DECIDED = _topic("objections.objection.decided", aggregate="objection",
                           payload=(*_OBJECTION, "decision", "version", "late"), meaning="An objection was decided.")
OBJECTION_REVIEW_REQUESTED = _topic("objections.objection.review_requested", aggregate="objection",
                                    payload=(*_OBJECTION, "due_date"),
                                    meaning="The subject asked for a review of a decision.")

# --- repairs (also the audit action codes of RepairEvent and the notice codes) ---------------------------
_REPAIR = ("record", "status")
REPAIR_APPLIED = _topic("repairs.repair.applied", aggregate="repair", payload=_REPAIR,
                        meaning="A subject applied to repair a negative record.")
REPAIR_APPROVED = _topic("repairs.repair.approved", aggregate="repair", payload=_REPAIR,
                         meaning="A repair application was approved.")
REPAIR_REJECTED = _topic("repairs.repair.rejected", aggregate="repair", payload=_REPAIR,
                         meaning="A repair application was rejected.")
REPAIR_WITHDRAWN = _topic("repairs.repair.withdrawn", aggregate="repair", payload=_REPAIR,
                          meaning="The subject withdrew a repair application.")

# --- commitments (also the audit action codes of CommitmentEvent) ----------------------------------------
_COMMITMENT = ("number", "type", "matter_code", "status", "source_unit")
COMMITMENT_SIGNED = _topic("commitments.commitment.signed", aggregate="commitment", payload=_COMMITMENT,
                           meaning="A subject signed a credit commitment.")
COMMITMENT_FULFILLED = _topic("commitments.commitment.fulfilled", aggregate="commitment", payload=_COMMITMENT,
                              meaning="The department verified a commitment as kept.")
COMMITMENT_BREACHED = _topic("commitments.commitment.breached", aggregate="commitment", payload=_COMMITMENT,
                             meaning="A commitment was found broken or false.")
COMMITMENT_REMINDED = _topic("commitments.commitment.reminded", aggregate="commitment", payload=_COMMITMENT,
                             meaning="The subject was reminded of a commitment's deadline.")
COMMITMENT_OVERDUE = _topic("commitments.commitment.overdue", aggregate="commitment", payload=_COMMITMENT,
                            meaning="A signed commitment passed its deadline unverified.")
PAYOUT_DECIDED = _topic("commitments.payout.decided", aggregate="payout",
                        payload=("matter_code", "outcome", "reasons", "amount_paid", "check_id", "commitment"),
                        meaning="A payout under a commitment was approved or refused.")

# --- reports ---------------------------------------------------------------------------------------------
_REPORT = ("number", "kind", "purpose", "status", "content_hash", "key_id")
REPORT_ISSUED = _topic("reports.report.issued", aggregate="report", payload=_REPORT,
                       meaning="A signed credit report was issued.")
REPORT_SUPERSEDED = _topic("reports.report.superseded", aggregate="report", payload=(*_REPORT, "superseded_by"),
                           meaning="A report was superseded by a newer one of the same subject and kind.")
REPORT_REVOKED = _topic("reports.report.revoked", aggregate="report", payload=(*_REPORT, "reason"),
                        meaning="The credit office revoked a report.")

# --- rewards ---------------------------------------------------------------------------------------------
MEASURE_VERSIONED = _topic("rewards.measure.versioned", aggregate="measure", subject=False,
                           payload=("code", "version", "kind"), meaning="A measure got a new version.")
SYSTEM_REGISTERED = _topic("rewards.system.registered", aggregate="business_system", subject=False,
                           payload=("code", "active"), meaning="A business system was registered or changed.")
MATTER_REGISTERED = _topic("rewards.matter.registered", aggregate="matter", subject=False,
                           payload=("code", "system", "type"), meaning="A matter was registered or changed.")
CHECK_FEEDBACK_RECORDED = _topic("rewards.check.feedback_recorded", aggregate="check",
                                 payload=("outcome", "applied"),
                                 meaning="A business system reported what it applied after a check.")
CERTIFICATE_ISSUED = _topic("rewards.certificate.issued", aggregate="check_certificate",
                            payload=("number", "check", "decision"), meaning="A check certificate was issued.")

# --- scoring ---------------------------------------------------------------------------------------------
SCORE_RUN_COMPLETED = _topic("scoring.run.completed", aggregate="score_run", subject=False,
                             payload=("kind", "as_of", "scored", "changed", "grades_changed"),
                             meaning="A scoring run finished.")
SCORE_CHANGED = _topic("scoring.score.changed", aggregate="subject_score",
                       payload=("model", "from", "to", "score", "previous_score"),
                       meaning="A subject's grade changed (a first grade is not a change).")
MODEL_DRAFTED = _topic("scoring.model.drafted", aggregate="scoring_model", subject=False,
                       payload=("code", "version", "actor"), meaning="A scoring model draft was created.")
MODEL_CHANGED = _topic("scoring.model.changed", aggregate="scoring_model", subject=False,
                       payload=("indicator", "fields", "actor"), meaning="An indicator of a draft model changed.")
MODEL_ACTIVATED = _topic("scoring.model.activated", aggregate="scoring_model", subject=False,
                         payload=("code", "version", "actor"), meaning="A scoring model became the active one.")
SUPERVISION_RULE_SET = _topic("scoring.supervision_rule.set", aggregate="supervision_rule", subject=False,
                              payload=("field", "grade", "class", "actor"),
                              meaning="A tiered-supervision rule (field × grade → class) was set.")

# --- monitoring (alert topics are also the audit action codes of AlertEvent) -----------------------------
SCORECARD_TRAINED = _topic("monitoring.scorecard.trained", aggregate="scorecard", subject=False,
                           payload=("code", "version", "auc_test", "ks_test"),
                           meaning="An early-warning scorecard was trained.")
SCORECARD_ACTIVATED = _topic("monitoring.scorecard.activated", aggregate="scorecard", subject=False,
                             payload=("code", "version"), meaning="A scorecard became the active one.")
RISK_RUN_COMPLETED = _topic("monitoring.run.completed", aggregate="risk_run", subject=False,
                            payload=("scorecard", "as_of", "subjects", "alerts"),
                            meaning="A risk monitoring run finished.")
ALERT_RAISED = _topic("monitoring.alert.raised", aggregate="alert", payload=("kind", "score", "previous_score"),
                      meaning="An alert was raised on a subject.")
ALERT_ACKNOWLEDGED = _topic("monitoring.alert.acknowledged", aggregate="alert", payload=("kind", "status"),
                            meaning="Staff acknowledged an alert.")
ALERT_CLOSED = _topic("monitoring.alert.closed", aggregate="alert", payload=("kind", "status"),
                      meaning="Staff closed an alert.")
WATCH_STARTED = _topic("monitoring.watch.started", aggregate="watch", payload=("user",),
                       meaning="Someone started watching a subject.")
WATCH_STOPPED = _topic("monitoring.watch.stopped", aggregate="watch", payload=("user",),
                       meaning="Someone stopped watching a subject.")

# --- benefits --------------------------------------------------------------------------------------------
_USAGE = ("scenario", "reference", "status", "amount_yuan", "actor")
USAGE_STARTED = _topic("benefits.usage.started", aggregate="benefit_usage", payload=_USAGE,
                       meaning="A subject started using a benefit.")
USAGE_ENDED = _topic("benefits.usage.ended", aggregate="benefit_usage", payload=_USAGE,
                     meaning="A benefit usage ended normally.")
DEFAULT_RECORDED = _topic("benefits.default.recorded", aggregate="benefit_usage",
                          payload=(*_USAGE, "default_amount_yuan"),
                          meaning="A provider reported a default on a benefit usage.")
SUSPENSION_STARTED = _topic("benefits.suspension.started", aggregate="benefit_suspension",
                            payload=("scenario", "ends_on", "defaults", "actor"),
                            meaning="A subject was suspended from a benefit scenario after defaults.")

# --- lending ---------------------------------------------------------------------------------------------
_LOAN = ("lender", "reference", "status", "amount_requested_yuan", "amount_approved_yuan", "rate_percent",
         "term_months", "fund_covered", "default_amount_yuan", "actor")
LOAN_APPLIED = _topic("lending.loan.applied", aggregate="loan", payload=_LOAN,
                      meaning="A firm applied for a credit loan.")
LOAN_APPROVED = _topic("lending.loan.approved", aggregate="loan", payload=_LOAN, meaning="A lender approved a loan.")
LOAN_DECLINED = _topic("lending.loan.declined", aggregate="loan", payload=_LOAN, meaning="A lender declined a loan.")
LOAN_REPAID = _topic("lending.loan.repaid", aggregate="loan", payload=_LOAN, meaning="A loan was repaid.")
LOAN_DEFAULTED = _topic("lending.loan.defaulted", aggregate="loan", payload=_LOAN, meaning="A loan defaulted.")
_FUND = ("sequence", "kind", "amount_yuan", "covered_yuan", "balance_after_yuan", "loan", "actor")
FUND_CONTRIBUTED = _topic("lending.fund.contributed", aggregate="risk_fund", payload=_FUND, subject=False,
                          meaning="Money was paid into the risk-sharing fund.")
FUND_LOAN_COVERED = _topic("lending.fund.loan_covered", aggregate="risk_fund", payload=_FUND,
                           meaning="The risk-sharing fund took on cover for an approved loan.")
FUND_CLAIM_PAID = _topic("lending.fund.claim_paid", aggregate="risk_fund", payload=_FUND,
                         meaning="The risk-sharing fund paid a lender's claim on a defaulted loan.")
FUND_RECOVERED = _topic("lending.fund.recovered", aggregate="risk_fund", payload=_FUND,
                        meaning="Money was recovered into the fund for a defaulted loan.")

# --- sharing ---------------------------------------------------------------------------------------------
_SUBSCRIPTION = ("client",)
SUBSCRIPTION_CREATED = _topic("sharing.subscription.created", aggregate="subscription", subject=False,
                              payload=(*_SUBSCRIPTION, "webhook", "all_subjects", "filters"),
                              meaning="A client created a subscription.")
SUBSCRIPTION_UPDATED = _topic("sharing.subscription.updated", aggregate="subscription", subject=False,
                              payload=(*_SUBSCRIPTION, "changed"), meaning="A client changed a subscription.")
SUBSCRIPTION_SECRET_ROTATED = _topic("sharing.subscription.secret_rotated", aggregate="subscription",
                                     subject=False, payload=_SUBSCRIPTION,
                                     meaning="A subscription's webhook secret was replaced.")
SUBSCRIPTION_DELETED = _topic("sharing.subscription.deleted", aggregate="subscription", subject=False,
                              payload=(*_SUBSCRIPTION, "name"), meaning="A client deleted a subscription.")
SUBSCRIPTION_SUBJECTS_CHANGED = _topic("sharing.subscription.subjects_changed", aggregate="subscription",
                                       subject=False, payload=(*_SUBSCRIPTION, "added", "removed"),
                                       meaning="Subjects were added to or removed from a subscription.")
SUBSCRIPTION_REPLAYED = _topic("sharing.subscription.replayed", aggregate="subscription", subject=False,
                               payload=(*_SUBSCRIPTION, "from_sequence", "deliveries"),
                               meaning="A client replayed its deliveries from a sequence on.")
SUBSCRIPTION_FAILED = _topic("sharing.subscription.failed", aggregate="subscription", subject=False,
                             payload=(*_SUBSCRIPTION, "failures"),
                             meaning="A subscription's webhook kept failing: the subscription is now failing.")
SUBSCRIPTION_RECOVERED = _topic("sharing.subscription.recovered", aggregate="subscription", subject=False,
                                payload=(*_SUBSCRIPTION, "failures"),
                                meaning="A failing subscription's webhook answered again: it is active again.")

# --- ledger (decision 065): a split view or a refused checkpoint, on the log's or the witness's side -------
LEDGER_ALERT_RAISED = _topic("ledger.alert.raised", aggregate="ledger_alert", subject=False,
                             payload=("side", "kind", "origin", "tree_size", "reported_by"),
                             meaning="A witness refused a checkpoint of the log (a split view or an inconsistent "
                                     "one), or a cosigned checkpoint the log never signed came back.")


# How each topic reads to a person (pages show these, never the topic itself): one label per topic.
LABELS: dict[str, Promise] = {
    RECORD_CREATED: _("Record taken in"),
    RECORD_CORRECTED: _("Record corrected"),
    RECORD_REVOKED: _("Record revoked"),
    RECORD_OBJECTION_MARKED: _("Marked as under objection"),
    RECORD_OBJECTION_CLEARED: _("Objection mark cleared"),
    RECORD_REPAIRED: _("Record repaired"),
    RECORD_PUBLICITY_ENDED: _("Publicity ended"),
    RECORD_RETENTION_ENDED: _("Retention ended"),
    RECORD_RETENTION_EXTENDED: _("Retention extended"),
    RECORD_LIST_REMOVED: _("Removed from a list"),
    SUBJECT_CREATED: _("Subject registered"),
    SUBJECT_UPDATED: _("Subject data changed"),
    IDENTIFIER_ADDED: _("Identifier added"),
    IDENTIFIER_CHANGED: _("Identifier changed"),
    RELATION_ADDED: _("Relation added"),
    RELATION_CHANGED: _("Relation changed"),
    RELATION_CORRECTED: _("Relation corrected"),
    RELATION_ENDED: _("Relation ended"),
    AGENT_AUTHORIZED: _("Agent authorized"),
    AGENT_REVOKED: _("Agent's authorization revoked"),
    CONSENT_GRANTED: _("Consent granted"),
    CONSENT_REVOKED: _("Consent withdrawn"),
    OBJECTION_FILED: _("Objection filed"),
    OBJECTION_EVIDENCE_ADDED: _("Objection evidence added"),
    OBJECTION_ACCEPTED: _("Objection accepted"),
    OBJECTION_REJECTED: _("Objection not accepted"),
    OBJECTION_FORWARDED: _("Objection forwarded to the source unit"),
    OBJECTION_EXTENSION_REQUESTED: _("More time requested for an objection"),
    OBJECTION_EXTENDED: _("Objection deadline extended"),
    OBJECTION_DECIDED: _("Objection decided"),
    OBJECTION_REVIEW_REQUESTED: _("Review of an objection requested"),
    REPAIR_APPLIED: _("Repair applied for"),
    REPAIR_APPROVED: _("Repair approved"),
    REPAIR_REJECTED: _("Repair rejected"),
    REPAIR_WITHDRAWN: _("Repair application withdrawn"),
    COMMITMENT_SIGNED: _("Commitment signed"),
    COMMITMENT_FULFILLED: _("Commitment kept"),
    COMMITMENT_BREACHED: _("Commitment broken"),
    COMMITMENT_REMINDED: _("Commitment reminder sent"),
    COMMITMENT_OVERDUE: _("Commitment overdue"),
    PAYOUT_DECIDED: _("Payout decided"),
    REPORT_ISSUED: _("Credit report issued"),
    REPORT_SUPERSEDED: _("Credit report superseded"),
    REPORT_REVOKED: _("Credit report revoked"),
    MEASURE_VERSIONED: _("Measure changed"),
    SYSTEM_REGISTERED: _("Business system registered"),
    MATTER_REGISTERED: _("Matter registered"),
    CHECK_FEEDBACK_RECORDED: _("Check feedback recorded"),
    CERTIFICATE_ISSUED: _("Check certificate issued"),
    SCORE_RUN_COMPLETED: _("Scoring run completed"),
    SCORE_CHANGED: _("Grade changed"),
    MODEL_DRAFTED: _("Scoring model drafted"),
    MODEL_CHANGED: _("Scoring model changed"),
    MODEL_ACTIVATED: _("Scoring model activated"),
    SUPERVISION_RULE_SET: _("Supervision rule set"),
    SCORECARD_TRAINED: _("Scorecard trained"),
    SCORECARD_ACTIVATED: _("Scorecard activated"),
    RISK_RUN_COMPLETED: _("Risk run completed"),
    ALERT_RAISED: _("Alert raised"),
    ALERT_ACKNOWLEDGED: _("Alert acknowledged"),
    ALERT_CLOSED: _("Alert closed"),
    WATCH_STARTED: _("Watch started"),
    WATCH_STOPPED: _("Watch stopped"),
    USAGE_STARTED: _("Benefit used"),
    USAGE_ENDED: _("Benefit usage ended"),
    DEFAULT_RECORDED: _("Default recorded"),
    SUSPENSION_STARTED: _("Benefit suspended"),
    LOAN_APPLIED: _("Loan applied for"),
    LOAN_APPROVED: _("Loan approved"),
    LOAN_DECLINED: _("Loan declined"),
    LOAN_REPAID: _("Loan repaid"),
    LOAN_DEFAULTED: _("Loan defaulted"),
    FUND_CONTRIBUTED: _("Contribution to the risk fund"),
    FUND_LOAN_COVERED: _("Loan covered by the risk fund"),
    FUND_CLAIM_PAID: _("Risk fund claim paid"),
    FUND_RECOVERED: _("Risk fund recovery"),
    SUBSCRIPTION_CREATED: _("Subscription created"),
    SUBSCRIPTION_UPDATED: _("Subscription changed"),
    SUBSCRIPTION_SECRET_ROTATED: _("Subscription secret rotated"),
    SUBSCRIPTION_DELETED: _("Subscription deleted"),
    SUBSCRIPTION_SUBJECTS_CHANGED: _("Subscribed subjects changed"),
    SUBSCRIPTION_REPLAYED: _("Subscription replayed"),
    SUBSCRIPTION_FAILED: _("Subscription deliveries failing"),
    SUBSCRIPTION_RECOVERED: _("Subscription deliveries recovered"),
    LEDGER_ALERT_RAISED: _("Tamper-evident log alert raised"),
}


def topic_label(name: str) -> str:
    """A topic (or an audit action code, which is its topic) as a person reads it; an unknown one is said to be
    an event of the platform, never shown as its code."""
    label = LABELS.get(name)
    return str(label) if label is not None else str(_("Platform event"))

# Catalog v1 → v2 (frozen: data migrations apply it; never edit it).
RENAMED_IN_V2: dict[str, str] = {
    **{f"record.{k}": f"records.record.{k}" for k in (
        "created", "corrected", "revoked", "objection_marked", "objection_cleared", "repaired", "publicity_ended",
        "retention_ended", "retention_extended", "list_removed")},
    "subject.created": "subjects.subject.created",
    "subject.updated": "subjects.subject.updated",
    "subject.identifier.added": "subjects.identifier.added",
    "subject.identifier.changed": "subjects.identifier.changed",
    "subject.relation.added": "subjects.relation.added",
    "subject.relation.changed": "subjects.relation.changed",
    "consent.granted": "access.consent.granted",
    "consent.revoked": "access.consent.revoked",
    **{f"objection.{k}": f"objections.objection.{k}" for k in (
        "filed", "evidence_added", "accepted", "rejected", "forwarded", "extension_requested", "extended",
        "decided", "review_requested")},
    **{f"repair.{k}": f"repairs.repair.{k}" for k in ("applied", "approved", "rejected", "withdrawn")},
    **{f"report.{k}": f"reports.report.{k}" for k in ("issued", "superseded", "revoked")},
    "rewards.check.feedback": "rewards.check.feedback_recorded",
    "scoring.supervision.rule_set": "scoring.supervision_rule.set",
    "lending.fund.contribution": "lending.fund.contributed",
    "lending.fund.coverage": "lending.fund.loan_covered",
    "lending.fund.claim": "lending.fund.claim_paid",
    "lending.fund.recovery": "lending.fund.recovered",
    "sharing.subscription.failing": "sharing.subscription.failed",
    "sharing.subscription.active": "sharing.subscription.recovered",
}


def topics_rename(apps: object, schema_editor: object, *, model: str, field: str,
                  renames: dict[str, str] | None = None) -> None:
    """Data-migration step: rename the topics stored in ``model.field`` (one UPDATE per renamed topic)."""
    klass = apps.get_model(model)  # type: ignore[attr-defined]
    for old, new in (renames if renames is not None else RENAMED_IN_V2).items():
        klass.objects.filter(**{field: old}).update(**{field: new})


def topics_rename_back(apps: object, schema_editor: object, *, model: str, field: str) -> None:
    topics_rename(apps, schema_editor, model=model, field=field,
                  renames={new: old for old, new in RENAMED_IN_V2.items()})
