"""The C2SP signed-note format (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and Ed25519
cosignatures (c2sp.org/tlog-cosignature), as text any implementation of those specifications reads.

A note is a text ending in a newline, a blank line, and signature lines ``— <name> <base64(key id || sig)>``.
The key id is the first four bytes of SHA-256(name || 0x0A || type || public key); type 0x01 is a plain
Ed25519 signature over the text (the log's own signature), type 0x04 a timestamped cosignature over
``cosignature/v1\\ntime <t>\\n`` followed by the text (a witness's). Verifier keys travel as
``<name>+<hex key id>+<base64(type || public key)>`` (vkeys).

A checkpoint's text is the origin line, the tree size in decimal and the base64 root hash (extension lines,
non-empty, may follow). Pure functions: no database, no settings, so a verifier outside the platform can use
this module alone (decision 064).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gongxin.core.signing import b64_decode_strict

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"
MAX_SIGNATURES = 64  # the spec asks verifiers to accept at least 16
MAX_NOTE_BYTES = 64 * 1024
HASH_BYTES = 32

__all__ = [
    "COSIGNATURE_V1", "ED25519", "Checkpoint", "NoteError", "SignatureLine", "Verifier", "checkpoint_parse",
    "checkpoint_text", "cosignature_line", "cosignature_message", "cosignature_time", "key_id", "note_join",
    "note_split", "signature_line", "verifier_parse", "verifier_text", "verify_lines",
]


class NoteError(ValueError):
    """Text that is not a well-formed note, checkpoint or verifier key (``reason`` is a stable word)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class SignatureLine:
    name: str
    key_id: bytes  # 4 bytes
    signature: bytes  # the bytes after the key id (for 0x04: 8-byte timestamp || 64-byte signature)

    def text(self) -> str:
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + self.signature).decode('ascii')}\n"


@dataclass(frozen=True)
class Verifier:
    """A public key that may sign notes: its name, signature type and raw Ed25519 public key."""

    name: str
    type: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.type, self.public_key)

    def vkey(self) -> str:
        return verifier_text(self.name, self.public_key, type=self.type)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        return checkpoint_text(self.origin, self.size, self.root_hash, self.extensions)


# --- keys ------------------------------------------------------------------------------------------

def _name_check(name: str) -> None:
    if not name or any(ch.isspace() for ch in name) or "+" in name:
        raise NoteError("bad_key_name")


def key_id(name: str, type: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4] (signed-note, tlog-cosignature)."""
    _name_check(name)
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([type]) + public_key).digest()[:4]


def verifier_text(name: str, public_key: bytes, *, type: int = ED25519) -> str:
    """The vkey ``<name>+<hex key id>+<base64(type || key)>``."""
    return f"{name}+{key_id(name, type, public_key).hex()}+{base64.b64encode(bytes([type]) + public_key).decode()}"


def verifier_parse(vkey: str) -> Verifier:
    """A vkey back into its parts; refuses one whose key id does not match its name and key."""
    parts = vkey.strip().split("+", 2)  # the name holds no "+"; the base64 may
    if len(parts) != 3 or len(parts[1]) != 8:
        raise NoteError("bad_verifier_key")
    name, hex_id, b64 = parts
    _name_check(name)
    try:
        raw = b64_decode_strict(b64)
        wanted = bytes.fromhex(hex_id)
    except ValueError as exc:
        raise NoteError("bad_verifier_key") from exc
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("bad_verifier_key")
    verifier = Verifier(name=name, type=raw[0], public_key=raw[1:])
    if verifier.key_id != wanted:
        raise NoteError("bad_verifier_key")
    return verifier


# --- notes -----------------------------------------------------------------------------------------

def note_split(note: str) -> tuple[str, list[SignatureLine]]:
    """The text (with its final newline) and the signature lines of a note."""
    if len(note.encode("utf-8")) > MAX_NOTE_BYTES:
        raise NoteError("note_too_large")
    if any(ord(ch) < 0x20 and ch != "\n" for ch in note):
        raise NoteError("control_character")
    if not note.endswith("\n"):
        raise NoteError("no_final_newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("no_signatures")
    text, block = note[: cut + 1], note[cut + 2:]
    lines = block.split("\n")[:-1]
    if not lines:
        raise NoteError("no_signatures")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("too_many_signatures")
    signatures = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError("bad_signature_line")
        try:
            raw = b64_decode_strict(parts[2])
        except ValueError as exc:
            raise NoteError("bad_signature_line") from exc
        if len(raw) < 5:
            raise NoteError("bad_signature_line")
        _name_check(parts[1])
        signatures.append(SignatureLine(name=parts[1], key_id=raw[:4], signature=raw[4:]))
    return text, signatures


def note_join(text: str, signatures: Iterable[SignatureLine]) -> str:
    """A note from its text and signature lines (duplicates of one name and key id kept once)."""
    seen: set[tuple[str, bytes]] = set()
    lines = []
    for line in signatures:
        if (line.name, line.key_id) not in seen:
            seen.add((line.name, line.key_id))
            lines.append(line.text())
    return text + "\n" + "".join(lines)


def signature_line(text: str, *, name: str, public_key: bytes, sign: Callable[[bytes], bytes]) -> SignatureLine:
    """The log's own Ed25519 signature (type 0x01) over ``text``; ``sign`` signs bytes with the private key."""
    return SignatureLine(name=name, key_id=key_id(name, ED25519, public_key), signature=sign(text.encode("utf-8")))


def cosignature_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode("utf-8")


def cosignature_line(text: str, *, name: str, public_key: bytes, timestamp: int,
                     sign: Callable[[bytes], bytes]) -> SignatureLine:
    """A witness's timestamped Ed25519 cosignature (type 0x04) over a checkpoint ``text``."""
    if not 0 <= timestamp < 2**63:
        raise NoteError("bad_timestamp")
    signature = sign(cosignature_message(text, timestamp))
    return SignatureLine(name=name, key_id=key_id(name, COSIGNATURE_V1, public_key),
                         signature=struct.pack(">Q", timestamp) + signature)


def _line_verifies(text: str, line: SignatureLine, verifier: Verifier) -> bool:
    key = Ed25519PublicKey.from_public_bytes(verifier.public_key)
    try:
        if verifier.type == ED25519:
            if len(line.signature) != 64:
                return False
            key.verify(line.signature, text.encode("utf-8"))
        else:
            if len(line.signature) != 72:
                return False
            timestamp = struct.unpack(">Q", line.signature[:8])[0]
            if timestamp >= 2**63:
                return False
            key.verify(line.signature[8:], cosignature_message(text, timestamp))
    except InvalidSignature:
        return False
    return True


def cosignature_time(line: SignatureLine) -> int:
    """The POSIX timestamp of a type 0x04 cosignature line."""
    return int(struct.unpack(">Q", line.signature[:8])[0])


def verify_lines(note: str, verifiers: Iterable[Verifier]) -> tuple[str, list[tuple[Verifier, SignatureLine]]]:
    """The text of ``note`` and the known keys whose signatures verify on it.

    Lines of unknown keys (name and key id not both matching) are ignored; a line of a known key that does
    not verify makes the whole note invalid (``bad_signature``), as the specification recommends; a note
    with no verified line from a known key is refused (``no_known_signature``)."""
    text, lines = note_split(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified: list[tuple[Verifier, SignatureLine]] = []
    for line in lines:
        verifier = known.get((line.name, line.key_id))
        if verifier is None:
            continue
        if not _line_verifies(text, line, verifier):
            raise NoteError("bad_signature")
        verified.append((verifier, line))
    if not verified:
        raise NoteError("no_known_signature")
    return text, verified


# --- checkpoints -----------------------------------------------------------------------------------

def checkpoint_text(origin: str, size: int, root_hash: bytes, extensions: Iterable[str] = ()) -> str:
    if not origin or "\n" in origin or size < 0 or len(root_hash) != HASH_BYTES:
        raise NoteError("bad_checkpoint")
    extra = list(extensions)
    if any(not line or "\n" in line for line in extra):
        raise NoteError("bad_checkpoint")
    lines = [origin, str(size), base64.b64encode(root_hash).decode("ascii"), *extra]
    return "\n".join(lines) + "\n"


def checkpoint_parse(text: str) -> Checkpoint:
    """The checkpoint of a note's text (not of a whole note: split it first)."""
    if not text.endswith("\n"):
        raise NoteError("bad_checkpoint")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise NoteError("bad_checkpoint")
    origin, size_text, root_text = lines[:3]
    if not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise NoteError("bad_checkpoint")
    try:
        root = b64_decode_strict(root_text)
    except ValueError as exc:
        raise NoteError("bad_checkpoint") from exc
    if len(root) != HASH_BYTES:
        raise NoteError("bad_checkpoint")
    return Checkpoint(origin=origin, size=int(size_text), root_hash=root, extensions=tuple(lines[3:]))
