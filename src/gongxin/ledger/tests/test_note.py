"""The signed-note, checkpoint and cosignature formats against the C2SP specifications' own examples, and the
refusals a verifier owes (a changed text, a known key whose signature fails, no known key, malformed text)."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from gongxin.ledger import note

# c2sp.org/signed-note "Example": this vkey verifies this note.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7"
             "Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")


def _key(seed: int) -> tuple[Ed25519PrivateKey, bytes]:
    private = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    return private, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_the_specifications_example_verifies_and_its_vkey_round_trips() -> None:
    verifier = note.verifier_parse(SPEC_VKEY)
    assert verifier.vkey() == SPEC_VKEY
    text, verified = note.verify_lines(SPEC_NOTE, [verifier])
    assert text == "This is an example message.\n"
    assert [v.name for v, _line in verified] == ["example.com/foo"]


def test_a_changed_text_or_signature_is_refused_and_unknown_keys_are_ignored() -> None:
    verifier = note.verifier_parse(SPEC_VKEY)
    with pytest.raises(note.NoteError) as changed:
        note.verify_lines(SPEC_NOTE.replace("example message", "exemple message"), [verifier])
    assert changed.value.reason == "bad_signature"
    _private, other_public = _key(7)
    stranger = note.Verifier(name="example.com/foo", type=note.ED25519, public_key=other_public)
    with pytest.raises(note.NoteError) as unknown:  # same name, another key id: ignored, so no known signature
        note.verify_lines(SPEC_NOTE, [stranger])
    assert unknown.value.reason == "no_known_signature"
    # A line of an unknown key beside the known one changes nothing.
    extra = SPEC_NOTE + "\u2014 someone.else/key " + base64.b64encode(bytes(68)).decode() + "\n"
    assert note.verify_lines(extra, [verifier])[0] == "This is an example message.\n"


@pytest.mark.parametrize("text, reason", [
    ("no blank line\n\u2014 a AAAAAAA=\n", "no_signatures"),
    ("text\n\n", "no_signatures"),
    ("text\n\n\u2014 a AAAAAAA=", "no_final_newline"),
    ("te\x00xt\n\n\u2014 a AAAAAAA=\n", "control_character"),
    ("text\n\n- a AAAAAAA=\n", "bad_signature_line"),
    ("text\n\n\u2014 a+b AAAAAAA=\n", "bad_key_name"),
])
def test_malformed_notes_are_refused(text: str, reason: str) -> None:
    with pytest.raises(note.NoteError) as refused:
        note.note_split(text)
    assert refused.value.reason == reason


def test_a_checkpoint_signed_and_cosigned_verifies_with_both_keys() -> None:
    log_private, log_public = _key(1)
    witness_private, witness_public = _key(2)
    text = note.checkpoint_text("example.com/log", 20852163, bytes(range(32)))
    assert text.splitlines() == ["example.com/log", "20852163", base64.b64encode(bytes(range(32))).decode()]
    own = note.signature_line(text, name="example.com/log", public_key=log_public, sign=log_private.sign)
    cosig = note.cosignature_line(text, name="witness.example/w1", public_key=witness_public, timestamp=1679315147,
                                  sign=witness_private.sign)
    signed = note.note_join(text, [own, cosig])
    log_v = note.verifier_parse(note.verifier_text("example.com/log", log_public))
    witness_v = note.verifier_parse(note.verifier_text("witness.example/w1", witness_public,
                                                       type=note.COSIGNATURE_V1))
    body, verified = note.verify_lines(signed, [log_v, witness_v])
    assert note.checkpoint_parse(body) == note.Checkpoint("example.com/log", 20852163, bytes(range(32)))
    assert {v.type for v, _ in verified} == {note.ED25519, note.COSIGNATURE_V1}
    # The cosignature is over "cosignature/v1\ntime <t>\n" + the checkpoint text, with the time before it.
    line = next(line for v, line in verified if v.type == note.COSIGNATURE_V1)
    assert struct.unpack(">Q", line.signature[:8])[0] == 1679315147 == note.cosignature_time(line)
    witness_private.public_key().verify(line.signature[8:], b"cosignature/v1\ntime 1679315147\n" + text.encode())
    # Key ids: SHA-256(name || 0x0A || type || key)[:4], different per type for the same key.
    assert note.key_id("w", 0x01, witness_public) != note.key_id("w", 0x04, witness_public)


@pytest.mark.parametrize("text", [
    "origin\n012\n" + base64.b64encode(b"x" * 32).decode() + "\n",  # a leading zero
    "origin\n12\n" + base64.b64encode(b"x" * 31).decode() + "\n",  # not 32 bytes
    "origin\n12\n",  # no root
    "origin\n-1\n" + base64.b64encode(b"x" * 32).decode() + "\n",
    "origin\n12\n" + base64.b64encode(b"x" * 32).decode() + "\n\n",  # an empty extension line
])
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(note.NoteError):
        note.checkpoint_parse(text)


@given(size=st.integers(min_value=0, max_value=2**63 - 1), root=st.binary(min_size=32, max_size=32),
       extensions=st.lists(st.text(alphabet="abcdefghij XYZ0123456789", min_size=1, max_size=10), max_size=3))
def test_checkpoints_round_trip(size: int, root: bytes, extensions: list[str]) -> None:
    text = note.checkpoint_text("gongxin/test", size, root, extensions)
    assert note.checkpoint_parse(text) == note.Checkpoint("gongxin/test", size, root, tuple(extensions))


@given(name=st.text(alphabet="abcxyz./-0123456789", min_size=1, max_size=30), key=st.binary(min_size=32, max_size=32),
       type=st.sampled_from([note.ED25519, note.COSIGNATURE_V1]))
def test_vkeys_round_trip(name: str, key: bytes, type: int) -> None:
    vkey = note.verifier_text(name, key, type=type)
    assert note.verifier_parse(vkey) == note.Verifier(name=name, type=type, public_key=key)
