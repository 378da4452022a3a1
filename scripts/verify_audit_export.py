#!/usr/bin/env python3
"""Check a Hotline audit export offline, with nothing but Python 3.

    python3 verify_audit_export.py EXPORT.jsonl VERIFIER_KEY

VERIFIER_KEY is the deployment's public key in signed-note form (name+keyid+base64), as shown on the
console's checkpoint page; keep your own copy rather than trusting the one inside the export.

It checks that the export's checkpoint is signed by that key (Ed25519, RFC 8032), that every entry
hashes to its leaf (RFC 9162: SHA-256(0x00 ‖ position ‖ predecessor hash ‖ body)), that each leaf's
inclusion proof leads to the checkpoint's root, and that consecutive entries are chained. Exit status 0
when all holds; otherwise 1, naming the first entry that does not.
"""

import base64
import hashlib
import json
import sys

# --- Ed25519 verification (RFC 8032, section 6) --------------------------------------------------------
P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x = (a[1] - a[0]) * (b[1] - b[0]) % P
    y = (a[1] + a[0]) * (b[1] + b[0]) % P
    c = 2 * a[3] * b[3] * D % P
    d = 2 * a[2] * b[2] % P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f, g * h, f * g, e * h)


def _mul(s, point):
    result = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(data):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
BASE = (_GX, _GY, 1, _GX * _GY % P)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    a, r = _decompress(public), _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % Q
    return _equal(_mul(s, BASE), _add(r, _mul(h, a)))


# --- signed note and Merkle proofs ---------------------------------------------------------------------


def open_checkpoint(note: str, verifier: str):
    name, key_id_hex, encoded = verifier.strip().split("+", 2)  # base64 may hold "+" too
    public = base64.b64decode(encoded)[1:]
    text, _, signatures = note.partition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            continue
        signer, _, stamp = line[2:].partition(" ")
        raw = base64.b64decode(stamp)
        if signer == name and raw[:4].hex() == key_id_hex and ed25519_verify(public, text.encode(), raw[4:]):
            origin, size, root = text.splitlines()[:3]
            return int(size), base64.b64decode(root)
    raise SystemExit("the export's checkpoint is not signed by this verifier key")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def main(path: str, verifier: str) -> int:
    with open(path, encoding="utf-8") as export:
        header = json.loads(export.readline())
        if header.get("format") != "hotline-audit-export/1":
            print("not a Hotline audit export")
            return 1
        size, root = open_checkpoint(header["checkpoint"], verifier)
        count, previous = 0, None
        for line in export:
            entry = json.loads(line)
            seq, prev_hash = entry["seq"], bytes.fromhex(entry["prev_hash"])
            leaf = sha256(b"\x00" + seq.to_bytes(8, "big") + prev_hash + entry["body"].encode())
            if leaf.hex() != entry["leaf_hash"]:
                print(f"entry {seq}: its content does not hash to its leaf: it was changed")
                return 1
            if previous is not None and previous[0] + 1 == seq and previous[1] != prev_hash:
                print(f"entry {seq}: it does not name its predecessor's hash")
                return 1
            if not verify_inclusion(seq - 1, size, leaf, [bytes.fromhex(n) for n in entry["inclusion_proof"]], root):
                print(f"entry {seq}: its inclusion proof does not lead to the signed root")
                return 1
            previous, count = (seq, leaf), count + 1
    print(f"ok: {count} entries, each included in the signed checkpoint of {size} entries")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
