import contextlib
import functools
import gc
import io

from odoo import models
from odoo.tools import SQL, split_every

from ..const import DEDUP_REVIEW_THRESHOLD, get_param
from ..tools import normalize
from ..tools.matching import BLOCK_CAP, SCORE_REVIEW
from ..tools.matching.blocking import name_keys_of
from ..tools.matching.chunks import (
    cluster_edges,
    component_shares,
    linked_edges,
    routed_keys,
    shared_kind_caps,
    union_linked,
)
from .hygiene_import_const import GROUP_CHUNK, INSERT_CHUNK

# the valid lines of a batch: the ones matched
VALID = SQL("state = 'normalised' AND error_kind IS NULL AND NOT coalesce(suppressed, FALSE)")


@contextlib.contextmanager
def _no_collector():
    """Without the cyclic garbage collector: millions of small tuples, it would rescan them."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class HygieneImportGrouping(models.AbstractModel):
    """In-file grouping of a contact import: the lines that are the same person, found by the
    scan's matcher (``tools.matching``) on the rows of the file, in chunks as the scan runs
    (``hygiene.duplicate.scan``): the blocking keys of each range of lines go to temporary key
    tables (routed by a stable hash), each key table's blocks are scored alone, only the pairs
    at or above the review threshold are kept in a temporary edge table, the connected
    components of the linked pairs are found over the line ids only (union-find), and a share
    of the components at a time is clustered with the features of its own lines. The same
    groups as ``find_groups`` over every row at once (``tests/test_import_stream.py``), in
    memory that grows with the chunk and the share, not the file.
    Inherited by ``hygiene.import.matching``: ``self`` is the batch."""

    _name = "hygiene.import.grouping"
    _description = "Contact Import: Grouping the Rows of the File"

    def _review_threshold(self):
        """The review threshold of the settings page (the scan's)."""
        return get_param(self.env, DEDUP_REVIEW_THRESHOLD) or SCORE_REVIEW

    def _grouping_table(self, name):
        return SQL.identifier(f"hygiene_import_{self.id}_{name}")

    def _in_file_groups(self, chunks, key_chunks=None):
        """``(clusters, pair_reasons, features)`` of every share of ``_in_file_group_shares``
        together (the tests compare them with ``find_groups``; the matching reads the shares
        one at a time)."""
        clusters, pair_reasons, features = [], {}, {}
        for share in self._in_file_group_shares(chunks, key_chunks):
            clusters.extend(share[0])
            pair_reasons.update(share[1])
            features.update(share[2])
        return clusters, pair_reasons, features

    def _in_file_group_shares(self, chunks, key_chunks=None, cache=None):
        """Yield ``(clusters, pair_reasons, features)`` a share of the file at a time: the
        clusters of the lines of the file that are the same person (as ``find_groups``: the
        same blocking keys, scoring with the file's statistics, non-chaining clusters, the
        settings' review threshold and learnt weights, so that the same records group the same
        way imported or scanned, issue 16), the reasons of their pairs, and the features of
        their lines (only those). A share holds whole connected components of the linked
        pairs (``GROUP_CHUNK`` lines or so, a larger component alone), so that memory grows
        with the share, not the file, as the scan's groups stage.

        ``chunks``: the ranges of valid lines (``_line_chunks``), read one at a time;
        ``key_chunks``: the number of key tables (default: one per range of lines); ``cache``:
        the features of every valid line when the caller holds them (a file of one range), read
        from there instead of three more times from the lines."""
        key_chunks = key_chunks or max(1, len(chunks))
        threshold = self._review_threshold()
        phonetic = functools.lru_cache(maxsize=200000)(normalize.phonetic_key)
        model = self.env["hygiene.duplicate.group"]._hygiene_scan_model()
        self._route_line_keys(chunks, phonetic, key_chunks, cache)
        shared = self._line_shared_values()
        self._count_line_names()
        try:
            with _no_collector():
                shares = self._store_edges(key_chunks, shared, model, threshold, cache)
            for number in range(shares):
                features, edges = self._share_edges(number, cache)
                statistics = self._line_statistics(features, shared, model)
                with _no_collector():
                    clusters, pair_reasons, __ = cluster_edges(
                        features, edges, statistics, threshold
                    )
                del edges
                yield clusters, pair_reasons, features
        finally:
            for name in ("name", "word", "edge", "node"):
                self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", self._grouping_table(name)))

    def _store_edges(self, key_chunks, shared, model, threshold, cache=None):
        """The kept pairs of every key table into a temporary edge table, and the shares of
        their connected components (union-find over the linked pairs: ids only) into a
        temporary node table. Returns the number of shares."""
        cr = self.env.cr
        edge, node = self._grouping_table("edge"), self._grouping_table("node")
        cr.execute(SQL("CREATE TEMP TABLE %s (a int, b int, link bool) ON COMMIT DROP", edge))
        parent = {}
        for number in range(key_chunks):
            edges = self._key_chunk_edges(number, shared, model, threshold, cache)
            buffer = io.StringIO("".join(f"{a}\t{b}\t{link}\n" for (a, b), link in edges.items()))
            cr.copy_expert(f"COPY hygiene_import_{self.id}_edge (a, b, link) FROM STDIN", buffer)
            del buffer
            union_linked(parent, (pair for pair, link in edges.items() if link))
            del edges
        cr.execute(SQL("CREATE TEMP TABLE %s (lid int, share int) ON COMMIT DROP", node))
        shares = component_shares(parent, GROUP_CHUNK)
        del parent
        for rows in split_every(INSERT_CHUNK * 20, shares.items()):
            buffer = io.StringIO("".join(f"{lid}\t{share}\n" for lid, share in rows))
            cr.copy_expert(f"COPY hygiene_import_{self.id}_node (lid, share) FROM STDIN", buffer)
        count = max(shares.values(), default=-1) + 1
        del shares
        cr.execute(SQL("CREATE INDEX ON %s (share)", node))
        cr.execute(SQL("CREATE INDEX ON %s (lid)", node))
        cr.execute(SQL("ANALYZE %s", node))
        cr.execute(SQL("CREATE INDEX ON %s (a)", edge))
        cr.execute(SQL("ANALYZE %s", edge))
        return count

    def _share_edges(self, number, cache=None):
        """``(features, edges)`` of one share of components: the features of its lines, and
        the kept pairs between them (``{(low, high): links}``, each pair once)."""
        cr = self.env.cr
        node = self._grouping_table("node")
        cr.execute(SQL("SELECT lid FROM %s WHERE share = %s", node, number))
        features = self._cached_features_of([lid for (lid,) in cr.fetchall()], cache)
        cr.execute(
            SQL(
                """
                SELECT e.a, e.b, e.link FROM %(edge)s e
                  JOIN %(node)s n ON n.lid = e.a AND n.share = %(share)s
                  JOIN %(node)s m ON m.lid = e.b AND m.share = %(share)s
                """,
                edge=self._grouping_table("edge"),
                node=node,
                share=number,
            )
        )
        edges = {(a, b): link for a, b, link in cr.fetchall()}
        return features, edges

    def _route_line_keys(self, chunks, phonetic, key_chunks, cache=None):
        """The blocking keys of the valid lines, a range of lines at a time, routed by their
        hash to ``key_chunks`` temporary key tables."""
        cr = self.env.cr
        for number in range(key_chunks):
            cr.execute(
                SQL(
                    "CREATE TEMP TABLE %s (h bigint, kind smallint, lid int) ON COMMIT DROP",
                    self._grouping_table(f"key_{number}"),
                )
            )
        for first, last in chunks:
            features = self._line_features([(first, last)]) if cache is None else cache
            # the names' keys cached for one range only: a file of a million names
            routed = routed_keys(features.values(), name_keys_of(phonetic), key_chunks)
            del features
            for number, rows in routed.items():
                buffer = io.StringIO("".join(f"{h}\t{kind}\t{lid}\n" for h, kind, lid in rows))
                table = f"hygiene_import_{self.id}_key_{number}"
                cr.copy_expert(f"COPY {table} (h, kind, lid) FROM STDIN", buffer)

    def _key_chunk_edges(self, number, shared, model, threshold, cache=None):
        """The pairs at or above ``threshold`` of the blocks of one key table (dropped)."""
        cr = self.env.cr
        table = self._grouping_table(f"key_{number}")
        cr.execute(
            SQL("SELECT kind, array_agg(lid) FROM %s GROUP BY h, kind HAVING count(*) > 1", table)
        )
        keyed = cr.fetchall()
        cr.execute(SQL("DROP TABLE %s", table))
        features = self._cached_features_of({lid for __, ids in keyed for lid in ids}, cache)
        statistics = self._line_statistics(features, shared, model)
        edges, __ = linked_edges(features, keyed, statistics, threshold, BLOCK_CAP)
        return edges

    def _cached_features_of(self, ids, cache):
        """The features of the valid lines ``ids``: from ``cache`` when given, else read."""
        if cache is None:
            return self._line_features_of(ids)
        return {lid: cache[lid] for lid in ids if lid in cache}

    def _line_shared_values(self):
        """The emails and phones of more valid lines than their blocks' cap (a generic
        mailbox, a switchboard): weak evidence, as ``candidate_blocks`` finds them."""
        caps = shared_kind_caps(BLOCK_CAP)
        self.env.cr.execute(
            SQL(
                """
                SELECT email_key FROM hygiene_import_line
                 WHERE batch_id = %(batch)s AND %(valid)s AND email_key != ''
              GROUP BY email_key HAVING count(*) > %(e)s
                 UNION
                SELECT phone FROM (SELECT DISTINCT id, unnest(ARRAY[phone_key, mobile_key]) AS phone
                                     FROM hygiene_import_line
                                    WHERE batch_id = %(batch)s AND %(valid)s) s
                 WHERE phone != '' GROUP BY phone HAVING count(*) > %(p)s
                """,
                batch=self.id,
                valid=VALID,
                e=caps["e"],
                p=caps["p"],
            )
        )
        return frozenset(value for (value,) in self.env.cr.fetchall())

    def _count_line_names(self):
        """How many valid lines of persons carry each name key, and each name word
        (``name_statistics`` over the whole file), in temporary tables."""
        name, word = self._grouping_table("name"), self._grouping_table("word")
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE %(name)s ON COMMIT DROP AS
                SELECT name_key AS name, count(*) AS n FROM hygiene_import_line
                 WHERE batch_id = %(batch)s AND %(valid)s AND name_key != ''
                   AND coalesce(clean_values::json->>'is_company', '') IN ('', 'false')
              GROUP BY name_key;
                ALTER TABLE %(name)s ADD PRIMARY KEY (name);
                CREATE TEMP TABLE %(word)s ON COMMIT DROP AS
                SELECT word, sum(n)::int AS n FROM %(name)s, unnest(string_to_array(name, ' ')) word
                 WHERE word != '' GROUP BY word;
                ALTER TABLE %(word)s ADD PRIMARY KEY (word);
                """,
                name=name,
                word=word,
                batch=self.id,
                valid=VALID,
            )
        )

    def _line_statistics(self, features, shared, model):
        """``score_pair``'s statistics for ``features``: the file's shared values, and the
        counts of the names and name words of these lines only (the same figures as the whole
        file's for them)."""
        persons = sorted({f.name_key for f in features.values() if f.name_key and not f.is_company})
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT name, n FROM %s WHERE name = ANY(%s)", self._grouping_table("name"), persons
            )
        )
        name_counts = dict(cr.fetchall())
        words = sorted({word for name in persons for word in name.split()})
        cr.execute(
            SQL("SELECT word, n FROM %s WHERE word = ANY(%s)", self._grouping_table("word"), words)
        )
        return shared, name_counts, dict(cr.fetchall()), model
