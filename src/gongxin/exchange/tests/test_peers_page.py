"""The peers page: the office reads this node's identity, its public keys and the peers; staff register a peer with
the keys its node shows (including a retired one); auditors read only; others are refused."""

from __future__ import annotations

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.exchange.keys import KeyPair, NodeIdentity, node_keys_rotate
from gongxin.exchange.models import Peer, PeerKey
from gongxin.exchange.nodes import PublicKeys, public_keys_json, public_keys_parse
from gongxin.testing.personas import signed_in, user_create


def _keys_of(node: NodeIdentity) -> str:
    old, new = node.pairs
    return public_keys_json([PublicKeys.of_pair(old, valid_until=new.created_at), PublicKeys.of_pair(new)])


def test_staff_read_the_node_and_register_a_peer(city: NodeIdentity, staff: User) -> None:
    node_keys_rotate()
    client = signed_in(staff)
    page = client.get("/exchange/peers/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "330200" in text and "宁波市" in text
    shown = public_keys_parse(text.split("data-public-keys>")[1].split("</pre>")[0].replace("&quot;", '"'))
    assert len(shown) == 2 and shown[0].valid_until is not None and shown[1].valid_until is None

    district = NodeIdentity("330203", "district", "海曙区", (KeyPair.generate(), KeyPair.generate()))
    response = client.post("/exchange/peers/", {
        "code": "330203", "name": "海曙区", "direction": "downstream", "service_url": "https://hs.example.cn",
        "directory": "", "keys": _keys_of(district)}, follow=True)
    assert response.status_code == 200
    peer = Peer.objects.get(code="330203")
    assert (peer.level, peer.direction, peer.registered_by) == ("district", "downstream", "user:credit-staff")
    assert PeerKey.objects.filter(peer=peer).count() == 2
    assert PeerKey.objects.get(peer=peer, key_id=district.current.key_id).valid_until is None
    assert "海曙区" in response.content.decode()


def test_bad_keys_are_refused_in_words(city: NodeIdentity, staff: User) -> None:
    response = signed_in(staff).post("/exchange/peers/", {
        "code": "330203", "name": "海曙区", "direction": "downstream", "keys": "not json"}, follow=True)
    assert not Peer.objects.exists()
    assert "JSON" in response.content.decode()


def test_auditors_read_only_and_others_are_refused(city: NodeIdentity, auditor: User) -> None:
    reader = signed_in(auditor)
    assert reader.get("/exchange/peers/").status_code == 200
    assert reader.post("/exchange/peers/", {"code": "330203"}).status_code == 403
    operator = user_create("hs-operator", role=Role.OPERATOR)
    assert signed_in(operator).get("/exchange/peers/").status_code == 403
