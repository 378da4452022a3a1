"""The Merkle tree follows RFC 9162: roots match the RFC's recursive definition, proofs verify, and a
proof for the wrong leaf or tree does not."""

from hashlib import sha256

from hotline.audit.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    tree_levels,
    verify_consistency,
    verify_inclusion,
)


def rfc_root(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as RFC 9162 2.1.1 writes it, recursively, for comparison."""
    if not leaves:
        return sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(rfc_root(leaves[:k]), rfc_root(leaves[k:]))


def leaves_of(n: int) -> list[bytes]:
    return [leaf_hash(f"entry {i}".encode()) for i in range(n)]


def test_roots_match_the_rfc_definition_for_every_size_up_to_70():
    for n in range(0, 71):
        assert root_hash(leaves_of(n)) == rfc_root(leaves_of(n)), n


def test_the_leaf_and_node_hashes_are_domain_separated():
    assert leaf_hash(b"") == sha256(b"\x00").digest()
    assert node_hash(b"a" * 32, b"b" * 32) == sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()


def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not():
    for n in range(1, 40):
        leaves = leaves_of(n)
        levels, root = tree_levels(leaves), root_hash(leaves)
        for index in range(n):
            proof = inclusion_proof(levels, index)
            assert verify_inclusion(index, n, leaves[index], proof, root), (n, index)
            assert not verify_inclusion(index, n, leaf_hash(b"forged"), proof, root)
            if n > 1:
                assert not verify_inclusion((index + 1) % n, n, leaves[index], proof, root)


def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not():
    for n in range(1, 36):
        leaves = leaves_of(n)
        for m in range(1, n + 1):
            proof = consistency_proof(leaves, m)
            assert verify_consistency(m, n, root_hash(leaves[:m]), root_hash(leaves), proof), (m, n)
            rewritten = [leaf_hash(b"rewritten"), *leaves[1:]]
            if m < n:
                assert not verify_consistency(m, n, root_hash(rewritten[:m]), root_hash(leaves), proof), (m, n)


def test_the_root_of_every_prefix_comes_from_the_levels_of_the_whole_tree():
    from hotline.audit.merkle import prefix_root

    leaves = leaves_of(45)
    levels = tree_levels(leaves)
    for size in range(0, 46):
        assert prefix_root(levels, size) == rfc_root(leaves[:size]), size
