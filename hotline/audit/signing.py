"""The deployment's Ed25519 key and checkpoints in the C2SP signed-note form.

A checkpoint note reads (c2sp.org/tlog-checkpoint, c2sp.org/signed-note):

    <origin>
    <tree size>
    <root hash, base64>

    — <key name> <base64(4-byte key id ‖ 64-byte signature)>

The signature covers the text above the blank line (with its final newline). The key id is the first
four bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key); the verifier key that parties keep is
`<name>+<key id hex>+<base64(0x01 ‖ public key)>`.
"""

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from hotline.env import ConfigError

ED25519_TYPE = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # em dash and a space
KEY_FILE = "audit-signing-key.pem"


class NoteError(ValueError):
    pass


@cache
def signing_key() -> Ed25519PrivateKey:
    """From HOTLINE_AUDIT_SIGNING_KEY (PEM, or base64 of the 32-byte seed), else the data folder's key
    file, generated (owner-readable only) on first use."""
    configured = os.environ.get("HOTLINE_AUDIT_SIGNING_KEY", "").strip()
    if configured:
        try:
            if configured.startswith("-----BEGIN"):
                return serialization.load_pem_private_key(configured.encode(), password=None)
            return Ed25519PrivateKey.from_private_bytes(base64.b64decode(configured))
        except (ValueError, TypeError):
            raise ConfigError("HOTLINE_AUDIT_SIGNING_KEY: not an Ed25519 private key (PEM or base64 seed)") from None
    path = settings.DATA_DIR / KEY_FILE
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_TYPE + public).digest()[:4]


def origin() -> str:
    return settings.AUDIT_ORIGIN


def verifier_key(private: Ed25519PrivateKey | None = None, name: str | None = None) -> str:
    """The public verifier key in the signed-note form, for parties to keep beside the checkpoints."""
    name = name or origin()
    public = public_key_bytes((private or signing_key()).public_key())
    return f"{name}+{key_id(name, public).hex()}+{base64.b64encode(ED25519_TYPE + public).decode()}"


def checkpoint_text(size: int, root: bytes, name: str | None = None) -> str:
    return f"{name or origin()}\n{size}\n{base64.b64encode(root).decode()}\n"


def sign_checkpoint(size: int, root: bytes, private: Ed25519PrivateKey | None = None) -> str:
    private = private or signing_key()
    name = origin()
    text = checkpoint_text(size, root, name)
    signature = private.sign(text.encode())
    stamp = base64.b64encode(key_id(name, public_key_bytes(private.public_key())) + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{name} {stamp}\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def parse_verifier_key(verifier: str) -> tuple[str, bytes, bytes]:
    try:
        name, id_hex, encoded = verifier.strip().split("+", 2)  # base64 may hold "+" too
        raw = base64.b64decode(encoded)
    except ValueError:
        raise NoteError("the verifier key is not of the form name+keyid+base64") from None
    if raw[:1] != ED25519_TYPE or len(raw) != 33 or key_id(name, raw[1:]).hex() != id_hex:
        raise NoteError("the verifier key is not a valid Ed25519 signed-note key")
    return name, bytes.fromhex(id_hex), raw[1:]


def open_checkpoint(note: str, verifier: str) -> Checkpoint:
    """Check the note's signature with the verifier key and return what it states; NoteError otherwise."""
    name, expected_id, public = parse_verifier_key(verifier)
    text, separator, signatures = note.partition("\n\n")
    if not separator:
        raise NoteError("the checkpoint has no signature block")
    text += "\n"
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            continue
        signer, _, stamp = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(stamp)
        except ValueError:
            continue
        if signer != name or raw[:4] != expected_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], text.encode())
        except InvalidSignature:
            raise NoteError(
                "the checkpoint's signature does not verify: it was altered or signed by another key"
            ) from None
        lines = text.splitlines()
        try:
            return Checkpoint(origin=lines[0], size=int(lines[1]), root=base64.b64decode(lines[2]))
        except (IndexError, ValueError):
            raise NoteError("the checkpoint's text is not origin, size and root hash") from None
    raise NoteError(f"the checkpoint carries no signature by {name}")
