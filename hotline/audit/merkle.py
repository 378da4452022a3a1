"""Merkle tree hashing as in RFC 9162 (Certificate Transparency 2.0), section 2.1.

leaf = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right); the tree of n leaves splits at the
largest power of two below n. Pure standard library: `scripts/verify_audit_export.py` carries a copy of
the verification half so that a party can check an export with nothing but Python.
"""

from hashlib import sha256

EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def tree_levels(leaves: list[bytes]) -> list[list[bytes]]:
    """All levels of the tree, leaves first. An unpaired last node moves up unchanged, which builds
    exactly the RFC's tree (its left subtrees are the complete ones)."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def root_hash(leaves: list[bytes]) -> bytes:
    if not leaves:
        return EMPTY_ROOT
    return tree_levels(leaves)[-1][0]


def prefix_root(levels: list[list[bytes]], size: int) -> bytes:
    """MTH of the first `size` leaves, from the levels of a tree of at least that many, in O(log size):
    the complete subtrees along size's binary digits, folded from the right (RFC 9162's split)."""
    if size == 0:
        return EMPTY_ROOT
    nodes, offset = [], 0
    for height in reversed(range(size.bit_length())):
        if size >> height & 1:
            nodes.append(levels[height][offset >> height])
            offset += 1 << height
    root = nodes[-1]
    for node in reversed(nodes[:-1]):
        root = node_hash(node, root)
    return root


def inclusion_proof(levels: list[list[bytes]], index: int) -> list[bytes]:
    """The audit path of leaf `index` in the tree whose levels are given (RFC 9162 2.1.3.1)."""
    proof = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        index //= 2
    return proof


def largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(leaves: list[bytes], start: int, end: int) -> bytes:
    return root_hash(leaves[start:end])


def consistency_proof(leaves: list[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 2.1.4.1: shows the tree of `old_size` leaves is a prefix of this one."""
    size = len(leaves)
    if not 0 < old_size <= size:
        raise ValueError("old size must be between 1 and the tree size")

    def subproof(m: int, start: int, end: int, complete: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if complete else [_subtree_root(leaves, start, end)]
        k = largest_power_of_two_below(n)
        if m <= k:
            return subproof(m, start, start + k, complete) + [_subtree_root(leaves, start + k, end)]
        return subproof(m - k, start + k, end, False) + [_subtree_root(leaves, start, start + k)]

    return subproof(old_size, 0, size, True)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 2.1.4.2."""
    if old_size == new_size:
        return old_root == new_root and not proof
    if not 0 < old_size < new_size or not proof:
        return False
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself the first node
        proof = [old_root, *proof]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
