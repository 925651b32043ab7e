"""core.signing and core.keys: the platform's Ed25519 key, key ids, canonical JSON, strict verification."""

from __future__ import annotations

import base64
import hashlib
import json
from collections import OrderedDict

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.test import override_settings

from gongxin.core import signing
from gongxin.core.keys import KeyConfigurationError, load_or_create_keys

ENV_DATA = {
    "GONGXIN_DATA_KEY": base64.urlsafe_b64encode(b"k" * 32).decode(),
    "GONGXIN_LOOKUP_KEY": base64.urlsafe_b64encode(b"h" * 32).decode(),
}


def _raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_key_id_is_the_first_16_hex_of_sha256_of_the_raw_public_key():
    assert signing.key_id() == hashlib.sha256(signing.public_key_raw()).hexdigest()[:16]
    assert len(signing.public_key_raw()) == 32


def test_sign_and_verify_round_trip():
    data = signing.canonical_json({"名称": "宁波", "n": 1})
    signature = signing.sign(data)
    assert signature.key_id == signing.key_id()
    assert signing.verify(data, signature.value_b64)
    assert signing.verify(data, signature.value_b64, public_key_pem=signing.public_key_pem())
    assert signing.verify(data, signature.value_b64, public_key_raw=signing.public_key_raw())
    assert signing.verify(data, signature.value_b64, key_id=signature.key_id)
    assert not signing.verify(data + b"x", signature.value_b64)
    assert not signing.verify(data, signature.value_b64, key_id="0" * 16)
    other = Ed25519PrivateKey.generate()
    assert not signing.verify(data, signature.value_b64, public_key_raw=_raw_public(other))


def test_a_signature_in_a_non_canonical_base64_spelling_is_refused():
    data = b"report"
    value = signing.sign(data).value_b64
    assert value.endswith("==")  # 64 bytes: the last character carries 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = value[-3]
    sibling = alphabet[alphabet.index(last) ^ 1]  # differs only in an unused bit: same bytes when decoded leniently
    forged = value[:-3] + sibling + "=="
    assert base64.b64decode(forged) == base64.b64decode(value)
    assert not signing.verify(data, forged)
    assert not signing.verify(data, "not base64!")


def test_canonical_json_is_sorted_compact_utf8_and_refuses_floats():
    assert signing.canonical_json({"b": 1, "a": ["中", True, None]}) == '{"a":["中",true,null],"b":1}'.encode()
    with pytest.raises(TypeError):
        signing.canonical_json({"amount": 1.5})


@pytest.mark.parametrize("value", [
    [{"a": ["x", {"b": (1, 2.5)}]}],
    {"deep": [[[[{"ratio": float("inf")}]]]]},
    OrderedDict(outer=OrderedDict(inner=0.1)),
    {"tuple": ("a", (None, True, -0.0))},
])
def test_canonical_json_refuses_a_float_at_any_depth(value):
    with pytest.raises(TypeError):
        signing.canonical_json(value)


def test_public_key_forms_agree():
    raw = signing.public_key_raw()
    assert signing.public_key_from_pem(signing.public_key_pem()) == raw
    jwk = signing.public_key_jwk()
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["kid"] == signing.key_id()
    assert base64.urlsafe_b64decode(jwk["x"] + "=") == raw


def test_retired_keys_are_published_and_still_verify():
    retired = Ed25519PrivateKey.generate()
    retired_raw = _raw_public(retired)
    data = b"old report"
    old_signature = base64.b64encode(retired.sign(data)).decode()
    with override_settings(GONGXIN_SIGNING_RETIRED_PUBLIC_KEYS=[base64.b64encode(retired_raw).decode()]):
        kids = [k["kid"] for k in signing.public_keys_jwks()["keys"]]
        assert kids == [signing.key_id(), signing.key_id_of(retired_raw)]
        assert signing.verify(data, old_signature, key_id=signing.key_id_of(retired_raw))
    assert not signing.verify(data, old_signature, key_id=signing.key_id_of(retired_raw))


def test_a_new_keys_file_holds_a_signing_key(tmp_path):
    keys = load_or_create_keys(tmp_path, environ={})
    assert len(keys.signing_key) == 32
    again = load_or_create_keys(tmp_path, environ={})
    assert again == keys
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600


def test_an_older_keys_file_gets_a_signing_key_added_and_keeps_its_keys(tmp_path):
    older = {
        "secret_key": base64.urlsafe_b64encode(b"s" * 48).decode(),
        "data_key": base64.urlsafe_b64encode(b"d" * 32).decode(),
        "data_key_id": "k7",
        "lookup_key": base64.urlsafe_b64encode(b"l" * 32).decode(),
    }
    (tmp_path / "keys.json").write_text(json.dumps(older))

    keys = load_or_create_keys(tmp_path, environ={})

    stored = json.loads((tmp_path / "keys.json").read_text())
    assert {k: stored[k] for k in older} == older
    assert keys.data_key == b"d" * 32 and keys.data_key_id == "k7" and keys.lookup_key == b"l" * 32
    assert base64.urlsafe_b64decode(stored["signing_key"]) == keys.signing_key
    assert load_or_create_keys(tmp_path, environ={}).signing_key == keys.signing_key
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600


def test_the_signing_key_from_the_environment(tmp_path):
    raw = bytes(range(32))
    for text in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("=")):
        keys = load_or_create_keys(tmp_path, environ={**ENV_DATA, "GONGXIN_SIGNING_KEY": text})
        assert keys.signing_key == raw
    assert not (tmp_path / "keys.json").exists()
    with pytest.raises(KeyConfigurationError):
        load_or_create_keys(tmp_path, environ={**ENV_DATA, "GONGXIN_SIGNING_KEY": base64.b64encode(b"short").decode()})


def test_with_data_keys_from_the_environment_the_signing_key_is_kept_in_the_data_dir(tmp_path):
    first = load_or_create_keys(tmp_path, environ=ENV_DATA)
    assert load_or_create_keys(tmp_path, environ=ENV_DATA).signing_key == first.signing_key
    assert list(json.loads((tmp_path / "keys.json").read_text())) == ["signing_key"]
