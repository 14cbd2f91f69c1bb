"""The scan in chunks (issue 16 §6), without Odoo: the blocking keys of a chunk of records are
routed by a stable hash to key chunks, each key chunk's blocks are scored alone, and the linked
pairs are clustered per connected component. The same groups as ``find_groups`` on the whole
base (``tests/test_scan_chunks.py``), in memory that grows with the chunk. The import groups
the rows of a file the same way (``linked_edges``, then ``union_linked`` and
``component_shares`` to cluster a share of the components at a time with ``cluster_edges``;
``tests/test_import_stream.py``)."""

import hashlib

from .blocking import KINDS, SHARED_KINDS, block_parts, kind_cap, record_keys
from .clustering import cluster_scored, score_blocks
from .scoring import score_pair


def key_hash(kind, value):
    """A stable signed 64-bit hash of one blocking key (the same in every worker process)."""
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def routed_keys(records, name_keys, chunks):
    """``{chunk: [(hash, kind number, id)]}``: the blocking keys of ``records`` (``Features``),
    each routed to the key chunk its hash falls in (``0 <= chunk < chunks``)."""
    routed = {}
    for f in records:
        for kind, value in record_keys(f, name_keys):
            digest = key_hash(kind, value)
            routed.setdefault(digest % chunks, []).append((digest, kind, f.id))
    return routed


def chunk_blocks(features, keyed_blocks, block_cap):
    """``(blocks, oversized)`` of one key chunk: ``keyed_blocks`` are ``(kind number, ids)``
    of the keys shared by two records or more; oversized ones are split (``block_parts``)."""
    blocks, oversized = [], 0
    for kind_number, ids in keyed_blocks:
        parts, split = block_parts(features, KINDS[kind_number][0], ids, block_cap)
        blocks.extend(parts)
        oversized += split
    return blocks, oversized


def shared_kind_caps(block_cap):
    """``{kind: cap}`` of the kinds whose oversized values are shared (weak evidence)."""
    return {kind: kind_cap(kind, block_cap) for kind in SHARED_KINDS}


def linked_edges(features, keyed_blocks, statistics, threshold, block_cap):
    """``({(low id, high id): links}, pairs scored)`` of one key chunk: the pairs at or above
    ``threshold`` of its blocks (``chunk_blocks``), ``links`` False for a cannot-link
    (``keeps_apart``). Only these are kept: the pairs under the threshold are scored again
    when the clustering asks for them, to the same score (``cluster_scored``)."""
    blocks, __ = chunk_blocks(features, keyed_blocks, block_cap)
    pair_scores, pair_reasons, linkable, __ = score_blocks(features, blocks, statistics, threshold)
    return {pair: pair in linkable for pair in pair_reasons}, len(pair_scores)


def cluster_edges(features, edges, statistics, threshold, excluded=frozenset()):
    """``(clusters, pair_reasons, ambiguous links dropped)`` of the ``edges`` of
    ``linked_edges`` (every chunk's together, or those of whole connected components of the
    linked pairs: ``component_shares``), ``features`` holding at least their records: the
    clusters of ``find_groups`` over all the records (``cluster_scored``)."""
    pair_reasons, linkable, apart = {}, {}, set()
    for (a, b), link in edges.items():
        score, pair_reasons[a, b] = score_pair(features[a], features[b], *statistics)
        if link:
            linkable[a, b] = score
        else:
            apart.add((a, b))
    clusters, ambiguous = cluster_scored(
        features, ({}, pair_reasons, linkable, apart), statistics, threshold, excluded
    )
    return clusters, pair_reasons, ambiguous


def _root(parent, node):
    """The root of ``node`` in the union-find ``parent`` (the path to it compressed)."""
    parent.setdefault(node, node)
    root = node
    while parent[root] != root:
        root = parent[root]
    while parent[node] != root:
        parent[node], node = root, parent[node]
    return root


def union_linked(parent, pairs):
    """Join the two ids of each of ``pairs`` in the union-find ``parent`` ({id: parent id},
    changed in place; a component's root is its smallest id): ids only, no features."""
    for a, b in pairs:
        root_a, root_b = _root(parent, a), _root(parent, b)
        if root_a < root_b:
            parent[root_b] = root_a
        elif root_b < root_a:
            parent[root_a] = root_b


def component_shares(parent, size):
    """``{id: share}``: the connected components of the union-find ``parent`` packed in
    shares of about ``size`` ids, in the order of their smallest id, a component never cut (a
    share holds at least one whole component, so a larger one is a share alone). Only the
    records of linked pairs and the pairs between them count for ``cluster_scored``: each
    share is clustered alone to the same clusters (``tests/test_import_stream.py``)."""
    sizes = {}
    for node in parent:
        root = _root(parent, node)
        sizes[root] = sizes.get(root, 0) + 1
    share_of, share, filled = {}, 0, 0
    for root in sorted(sizes):
        if filled >= size:
            share, filled = share + 1, 0
        share_of[root] = share
        filled += sizes[root]
    return {node: share_of[root] for node, root in parent.items()}
