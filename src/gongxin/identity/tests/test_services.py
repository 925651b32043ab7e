"""``identity_sign_in`` on verified claims (no provider needed: the claims are what ``oidc`` verified): the
first sign-in opens and binds an account; a changed identity number, or one bound to another account, is
refused and audited, never merged; the assurance policy is data a city may change."""

from __future__ import annotations

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import viewer_for_user
from gongxin.identity.assurance import assurance_require
from gongxin.identity.choices import Action, AssuranceLevel, AssuredCapability
from gongxin.identity.errors import AssuranceTooLow, ClaimChanged, ClaimsInvalid, ClaimTaken
from gongxin.identity.models import ExternalIdentity, IdentityEvent
from gongxin.identity.selectors import assurance_of
from gongxin.identity.services import identity_sign_in
from gongxin.subjects.models import Person
from gongxin.testing.personas import user_create
from gongxin.testing.subjects import person_create, rin_new

ISSUER = "https://id.example.gov.cn/o"


def _claims(sub: str, rin: str, *, name: str = "赵敏", acr: str = "2") -> dict[str, str]:
    return {"sub": sub, "name": name, "rin": rin, "acr": acr, "iss": ISSUER}


def test_the_first_sign_in_registers_an_unknown_person_and_binds_an_account(db) -> None:
    rin = rin_new()
    user = identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", rin))
    person = Person.objects.select_related("subject").get(subject=user.subject)
    assert person.subject.name == "赵敏" and user.role == Role.PERSON and user.display_name == "赵敏"
    assert rin not in user.username
    assert identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", rin, acr="3")).pk == user.pk
    assert assurance_of(user) == AssuranceLevel.IN_PERSON


def test_a_changed_identity_number_is_refused_and_audited_not_merged(db) -> None:
    first, second = rin_new(), rin_new()
    person_create(name="赵敏", rin=second)
    user = identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", first))

    with pytest.raises(ClaimChanged):
        identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", second))

    binding = ExternalIdentity.objects.get()
    assert binding.user_id == user.pk and binding.subject_id == user.subject_id
    event = IdentityEvent.objects.filter(action=Action.REFUSED_CLAIM_CHANGED).get()
    assert event.binding_id == binding.pk and event.reason == "identity.claim_changed"
    assert second not in str(list(IdentityEvent.objects.values()))


def test_an_identity_bound_to_another_account_is_refused_and_audited(db) -> None:
    rin = rin_new()
    holder = identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", rin))

    with pytest.raises(ClaimTaken):
        identity_sign_in(issuer=ISSUER, claims=_claims("sub-2", rin))

    assert ExternalIdentity.objects.count() == 1
    event = IdentityEvent.objects.filter(action=Action.REFUSED_CLAIM_TAKEN).get()
    assert event.conflicting_binding.user_id == holder.pk and event.external_subject == "sub-2"


def test_claims_without_a_valid_identity_are_refused(db) -> None:
    with pytest.raises(ClaimsInvalid):
        identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", "110101199003070000"))
    with pytest.raises(ClaimsInvalid):
        identity_sign_in(issuer=ISSUER, claims={"sub": "sub-1", "name": "赵敏"})
    assert IdentityEvent.objects.filter(action=Action.REFUSED_CLAIMS_INVALID).count() == 2
    assert not ExternalIdentity.objects.exists()


def test_local_accounts_have_the_configured_level_and_the_policy_is_data(db, settings) -> None:
    person = person_create(name="钱七")
    local = user_create("qian", role=Role.PERSON, subject=person)
    rin = rin_new()
    weak = identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", rin, acr="1"))
    assert assurance_of(local) == AssuranceLevel.VERIFIED and assurance_of(weak) == AssuranceLevel.BASIC
    assurance_require(viewer=viewer_for_user(local), capability=AssuredCapability.OBJECTION_FILE)
    with pytest.raises(AssuranceTooLow):
        assurance_require(viewer=viewer_for_user(weak), capability=AssuredCapability.OBJECTION_FILE)

    settings.GONGXIN_IDENTITY = {"LOCAL_ASSURANCE": "basic",
                                 "ASSURANCE_POLICY": {AssuredCapability.OBJECTION_FILE: "basic"}}
    assurance_require(viewer=viewer_for_user(weak), capability=AssuredCapability.OBJECTION_FILE)
    assert assurance_of(local) == AssuranceLevel.BASIC
    with pytest.raises(AssuranceTooLow):
        assurance_require(viewer=viewer_for_user(local), capability=AssuredCapability.PROFILE_FULL)


def test_a_weak_login_files_no_objection_whatever_the_door(db, market_unit) -> None:
    from gongxin.objections.choices import Ground
    from gongxin.objections.models import Objection
    from gongxin.objections.services import objection_file
    from gongxin.testing import factories

    rin = rin_new()
    weak = identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", rin, acr="1"))
    record = factories.penalty_create(subject=weak.subject, source_unit=market_unit)
    with pytest.raises(AssuranceTooLow):
        objection_file(record=record, ground=Ground.WRONG_FACTS, description="不是我", actor=viewer_for_user(weak))
    assert not Objection.objects.exists()
    # The same account signed in again with a verified identity files it.
    strong = identity_sign_in(issuer=ISSUER, claims=_claims("sub-1", rin, acr="2"))
    objection_file(record=record, ground=Ground.WRONG_FACTS, description="不是我", actor=viewer_for_user(strong))
    assert Objection.objects.get().record_id == record.pk


def test_the_issuer_is_kept_as_the_provider_writes_it(settings) -> None:
    from gongxin.identity.config import identity_settings

    settings.GONGXIN_IDENTITY = {"ISSUER": "https://tenant.id.example.gov.cn/", "CLIENT_ID": "gongxin"}
    config = identity_settings()
    assert config.issuer == "https://tenant.id.example.gov.cn/"
    assert config.metadata_url == "https://tenant.id.example.gov.cn/.well-known/openid-configuration"
