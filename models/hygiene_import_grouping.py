import functools
import gc
import io

from odoo import models
from odoo.tools import SQL

from ..const import DEDUP_REVIEW_THRESHOLD, get_param
from ..tools import normalize
from ..tools.matching import BLOCK_CAP, SCORE_REVIEW
from ..tools.matching.blocking import name_keys_of
from ..tools.matching.chunks import cluster_edges, linked_edges, routed_keys, shared_kind_caps

# the valid lines of a batch: the ones matched
VALID = SQL("state = 'normalised' AND error_kind IS NULL AND NOT coalesce(suppressed, FALSE)")


class HygieneImportGrouping(models.AbstractModel):
    """In-file grouping of a contact import: the lines that are the same person, found by the
    scan's matcher (``tools.matching``) on the rows of the file, in chunks as the scan runs
    (``hygiene.duplicate.scan``): the blocking keys of each range of lines go to temporary key
    tables (routed by a stable hash), each key table's blocks are scored alone, only the pairs
    at or above the review threshold are kept, and these are clustered with the features of
    their own lines. The same groups as ``find_groups`` over every row at once
    (``tests/test_import_stream.py``), in memory that grows with the chunk, not the file.
    Inherited by ``hygiene.import.matching``: ``self`` is the batch."""

    _name = "hygiene.import.grouping"
    _description = "Contact Import: Grouping the Rows of the File"

    def _review_threshold(self):
        """The review threshold of the settings page (the scan's)."""
        return get_param(self.env, DEDUP_REVIEW_THRESHOLD) or SCORE_REVIEW

    def _grouping_table(self, name):
        return SQL.identifier(f"hygiene_import_{self.id}_{name}")

    def _in_file_groups(self, chunks, key_chunks=None):
        """``(clusters, pair_reasons, features)``: the clusters of the lines of the file that
        are the same person (as ``find_groups``: the same blocking keys, scoring with the
        file's statistics, non-chaining clusters, the settings' review threshold and learnt
        weights, so that the same records group the same way imported or scanned, issue 16),
        the reasons of their pairs, and the features of their lines (only those).

        ``chunks``: the ranges of valid lines (``_line_chunks``), read one at a time;
        ``key_chunks``: the number of key tables (default: one per range of lines)."""
        key_chunks = key_chunks or max(1, len(chunks))
        threshold = self._review_threshold()
        phonetic = functools.lru_cache(maxsize=200000)(normalize.phonetic_key)
        model = self.env["hygiene.duplicate.group"]._hygiene_scan_model()
        self._route_line_keys(chunks, phonetic, key_chunks)
        shared = self._line_shared_values()
        self._count_line_names()
        edges = {}
        collecting = gc.isenabled()
        gc.disable()  # millions of small tuples: the cyclic collector would rescan them
        try:
            for number in range(key_chunks):
                edges.update(self._key_chunk_edges(number, shared, model, threshold))
            features = self._line_features_of({line for pair in edges for line in pair})
            statistics = self._line_statistics(features, shared, model)
            clusters, pair_reasons, __ = cluster_edges(features, edges, statistics, threshold)
        finally:
            if collecting:
                gc.enable()
        for name in ("name", "word"):
            self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", self._grouping_table(name)))
        return clusters, pair_reasons, features

    def _route_line_keys(self, chunks, phonetic, key_chunks):
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
            features = self._line_features([(first, last)])
            # the names' keys cached for one range only: a file of a million names
            routed = routed_keys(features.values(), name_keys_of(phonetic), key_chunks)
            del features
            for number, rows in routed.items():
                buffer = io.StringIO("".join(f"{h}\t{kind}\t{lid}\n" for h, kind, lid in rows))
                table = f"hygiene_import_{self.id}_key_{number}"
                cr.copy_expert(f"COPY {table} (h, kind, lid) FROM STDIN", buffer)

    def _key_chunk_edges(self, number, shared, model, threshold):
        """The pairs at or above ``threshold`` of the blocks of one key table (dropped)."""
        cr = self.env.cr
        table = self._grouping_table(f"key_{number}")
        cr.execute(
            SQL("SELECT kind, array_agg(lid) FROM %s GROUP BY h, kind HAVING count(*) > 1", table)
        )
        keyed = cr.fetchall()
        cr.execute(SQL("DROP TABLE %s", table))
        features = self._line_features_of({lid for __, ids in keyed for lid in ids})
        statistics = self._line_statistics(features, shared, model)
        edges, __ = linked_edges(features, keyed, statistics, threshold, BLOCK_CAP)
        return edges

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
