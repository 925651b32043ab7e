"""Association analysis through the disclosure policy: the office sees persons by name (masked RIN), government
sharing sees them only as "a natural person", nobody else may ask; the public view never holds a natural person;
each query of a subject is logged as an inquiry; the pages and the API answer with paths and exact shares."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gongxin.access.models import Inquiry
from gongxin.accounts.choices import Scope
from gongxin.accounts.models import Department, User
from gongxin.accounts.viewer import ANONYMOUS, Viewer
from gongxin.core.errors import PermissionDenied
from gongxin.monitoring.associations import (
    associations_controllers,
    associations_public,
    associations_related,
    associations_shared,
)
from gongxin.monitoring.tests.conftest import viewer
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.models import Relation, Subject
from gongxin.testing import factories, personas

pytestmark = pytest.mark.django_db

_refs = iter(range(50_000, 60_000))


def rel(holder: Subject, held: Subject, kind: str, share: str | None = None) -> None:
    Relation.objects.create(from_subject=holder, to_subject=held, kind=kind, record_ref=next(_refs),
                            share_ratio=Decimal(share) if share else None, start_date=date(2020, 1, 1))


@pytest.fixture
def graph(policies: None) -> dict[str, Subject]:
    """A firm whose legal representative (a person) also represents a second firm; a holding firm owning 60 % of
    the firm and a branch of the holding; the person holds 50 % of the holding firm."""
    firm = factories.organization_create(name="宁波关联甲有限公司", address="宁波市鄞州区天童南路1号")
    second = factories.organization_create(name="宁波关联乙有限公司", address="宁波市鄞州区天童南路1号")
    holding = factories.organization_create(name="宁波控股集团有限公司", address="宁波市江北区1号")
    branch = factories.organization_create(name="宁波控股集团有限公司江北分公司", address="宁波市江北区2号")
    person = factories.person_create(name="林法代")
    rel(person, firm, RelationKind.LEGAL_REPRESENTATIVE)
    rel(person, second, RelationKind.LEGAL_REPRESENTATIVE)
    rel(holding, firm, RelationKind.SHAREHOLDER, "0.6")
    rel(person, holding, RelationKind.SHAREHOLDER, "0.5")
    rel(branch, holding, RelationKind.BRANCH)
    return {"firm": firm, "second": second, "holding": holding, "branch": branch, "person": person}


def sharing_viewer() -> Viewer:
    department = Department.objects.create(code="NB-SW", name="宁波市商务局", region_code="330200")
    return personas.api_caller_create(name="商务系统", department=department, scopes=[Scope.RECORDS_SHARE]).viewer


def test_office_sees_persons_by_name_with_paths_and_each_query_is_logged(graph: dict[str, Subject],
                                                                           staff: User) -> None:
    firm, person = graph["firm"], graph["person"]
    found = {a.party.subject_id: a for a in associations_related(viewer=viewer(staff), subject_id=firm.pk,
                                                                 channel="portal", depth=2)}
    assert found[person.pk].party.name == "林法代"
    assert found[person.pk].party.code.endswith(person.person.rin_masked[-4:])
    assert [h.kind for h in found[graph["second"].pk].path] == ["legal_representative", "legal_representative"]
    assert found[graph["holding"].pk].path[0].share_percent == "60.00"
    controllers = associations_controllers(viewer=viewer(staff), subject_id=firm.pk, channel="portal")
    # The person: 50 % of the holding, which holds 60 % of the firm; the branch holds nothing.
    assert [(c.party.subject_id, c.share_percent) for c in controllers] == [(person.pk, "30.00")]
    shared = associations_shared(viewer=viewer(staff), subject_id=firm.pk, channel="portal")
    assert {(s.party.subject_id, s.kind) for s in shared} == {(graph["second"].pk, "legal_representative"),
                                                             (graph["second"].pk, "address")}
    logged = Inquiry.objects.filter(subject_id=firm.pk, viewer_user_id=staff.pk)
    assert logged.count() == 3 and set(logged.values_list("purpose", flat=True)) == {"staff"}


def test_sharing_sees_persons_only_as_a_natural_person_and_others_may_not_ask(graph: dict[str, Subject],
                                                                              outsider: User) -> None:
    firm = graph["firm"]
    found = associations_related(viewer=sharing_viewer(), subject_id=firm.pk, channel="api", depth=2)
    persons = [a for a in found if a.party.kind == "person"]
    assert persons and all(a.party.subject_id is None and a.party.name != "林法代" and not a.party.code
                           for a in persons)
    assert all(h.party.name != "林法代" for a in found for h in a.path)
    for who in (ANONYMOUS, viewer(outsider), viewer(personas.user_create("public-x"))):
        with pytest.raises(PermissionDenied):
            associations_related(viewer=who, subject_id=firm.pk, channel="portal")


def test_the_public_view_holds_no_natural_person(graph: dict[str, Subject]) -> None:
    found = associations_public(subject_id=graph["firm"].pk, depth=3)
    kinds = {a.party.kind for a in found} | {h.party.kind for a in found for h in a.path}
    assert kinds == {"organization"}
    assert {a.party.subject_id for a in found} == {graph["holding"].pk, graph["branch"].pk}
    assert not Inquiry.objects.exists()
    with pytest.raises(SubjectNotFound):
        associations_public(subject_id=graph["person"].pk)


def test_pages_and_api(graph: dict[str, Subject], staff: User, outsider: User) -> None:
    firm = graph["firm"]
    client = personas.signed_in(staff)
    page = client.get(f"/associations/subjects/{firm.pk}/?depth=2")
    assert page.status_code == 200
    text = page.content.decode()
    assert "林法代" in text and "宁波控股集团有限公司" in text and "30.00%" in text
    found = client.get("/associations/", {"code": firm.organization.uscc})
    assert found.status_code == 302 and found["Location"].endswith(f"/associations/subjects/{firm.pk}/")
    csv_text = client.get(f"/associations/subjects/{firm.pk}/related.csv").content.decode("utf-8-sig")
    assert "宁波关联乙有限公司" in csv_text
    assert personas.signed_in(outsider).get(f"/associations/subjects/{firm.pk}/").status_code == 403

    department = Department.objects.create(code="NB-SJ", name="宁波市大数据局", region_code="330200")
    api = personas.api_http(personas.api_caller_create(name="共享系统", department=department,
                                                       scopes=[Scope.RECORDS_SHARE]).key)
    related = api.get(f"/api/v1/associations/subjects/{firm.pk}/related", {"depth": 2})
    assert related.status_code == 200, related.content
    assert "林法代" not in related.content.decode()
    controllers = api.get(f"/api/v1/associations/subjects/{firm.pk}/controllers").json()
    assert controllers[0]["share"] == "3/10" and controllers[0]["party"]["subject_id"] is None
    assert api.get(f"/api/v1/associations/subjects/{firm.pk}/shared").status_code == 200
    plain_key = personas.api_caller_create(name="无共享权限", department=department, scopes=[Scope.SUBJECTS_READ]).key
    assert personas.api_http(plain_key).get(f"/api/v1/associations/subjects/{firm.pk}/related").status_code == 403
    assert api.get("/api/v1/associations/subjects/999999/related").status_code == 404
