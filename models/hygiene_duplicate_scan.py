import bisect
import io
import json
import logging

from odoo import api, models
from odoo.tools import SQL

from ..const import DEDUP_SCAN_CHUNK_SIZE, get_param
from ..tools.matching import Features, pair_evidence, score_pair
from ..tools.matching.blocking import KINDS, kind_cap, name_keys_of
from ..tools.matching.chunks import chunk_blocks, routed_keys, shared_kind_caps
from ..tools.matching.clustering import cluster_scored
from ..tools.matching.scoring import keeps_apart
from .hygiene_duplicate_group import _pairs
from .res_partner_warning import NAME_WORD_TABLE

_logger = logging.getLogger(__name__)

NEXT_STAGE = {"keys": "pairs", "pairs": "score", "score": "groups", "groups": "done"}
# figures summed over the chunks of a run
SUMMED = ("pairs", "oversized_blocks", "skipped_blocks", "ambiguous_links", "groups")
STAGE_SECONDS = {
    "keys": "seconds_keys",
    "pairs": "seconds_blocking",
    "score": "seconds_scoring",
    "groups": "seconds_clustering",
}
# a candidate pair ``(a, b)``, ``a <= b``, packed in one bigint: ``a << 32 | b``
PAIR_SHIFT, PAIR_MASK = 32, (1 << 32) - 1
# the reasons of an edge, joined (no reason holds it)
REASON_SEP = "\x1f"


class HygieneDuplicateScan(models.AbstractModel):
    """The duplicate scan in independent chunks (issue 16 §6), which several workers run
    together: each claims the next chunk of the run's stage with ``FOR UPDATE SKIP LOCKED``,
    and the one that finishes a stage's last chunk opens the next stage.

    1. keys: a range of contact ids; their blocking keys (``tools.matching.blocking``) go to
       the run's key tables, routed by a stable hash of the key (one table per key chunk);
    2. pairs: one key table; its blocks (oversized ones split, never skipped) give candidate
       pairs, each routed to the pair table of its lower id's chunk (none scored here);
    3. score: one pair table; its distinct pairs (a pair of several blocks, in several key
       chunks, is one row) are scored once with the statistics of the whole base, the pairs
       at or above the threshold stored as edges with their score and reasons;
    4. groups: the connected components of the linked edges (label propagation in SQL), a
       share of them per chunk, clustered with the features of their own contacts only;
    then the groups to review are replaced in one statement. Memory grows with the chunk
    (``dedup_scan_chunk_size`` contacts), not with the base. With OCA ``queue_job``
    installed, the daily scan enqueues one job per chunk instead of waking the worker crons
    (``_enqueue_chunks``); the addon does not depend on it."""

    _name = "hygiene.duplicate.scan"
    _description = "Duplicate Scan in Chunks"

    # ------------------------------------------------------------------ run

    @api.model
    def _start(self, threshold, block_cap, auto_merge=False):
        """Open a run: its chunks of contact ids and its working tables. Runs left unfinished
        are marked failed (their workers stop at their next chunk)."""
        Run = self.env["hygiene.scan.run"].sudo()
        Run.search([("state", "not in", ("done", "failed"))]).write({"state": "failed"})
        size = get_param(self.env, DEDUP_SCAN_CHUNK_SIZE)
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM res_partner"
                " WHERE active) s WHERE mod(n, %s) = 1 ORDER BY id",
                size,
            )
        )
        starts = [row[0] for row in cr.fetchall()]
        cr.execute(SQL("SELECT count(*) FROM res_partner WHERE active"))
        partners = cr.fetchone()[0]
        chunks = max(1, len(starts))
        run = Run.create(
            {
                "threshold": threshold,
                "block_cap": block_cap,
                "chunks": chunks,
                "partners": partners,
                "auto_merge": auto_merge,
            }
        )
        self._create_tables(run)
        bounds = [*starts, None]
        self.env["hygiene.scan.chunk"].sudo().create(
            [
                {
                    "run_id": run.id,
                    "stage": "keys",
                    "number": number,
                    "low_id": bounds[number] or 0,
                    "high_id": bounds[number + 1] and bounds[number + 1] - 1,
                }
                for number in range(chunks)
            ]
        )
        return run

    @api.model
    def _create_tables(self, run):
        """The run's working tables (unlogged: rebuilt by a new run after a crash): one key
        table per key chunk, the edges, the name words, the groups found."""
        cr = self.env.cr
        for number in range(run.chunks):
            cr.execute(
                SQL(
                    "CREATE UNLOGGED TABLE %s (h bigint, kind smallint, pid int);"
                    " CREATE UNLOGGED TABLE %s (p bigint)",
                    self._scan_table(run, f"key_{number}"),
                    self._scan_table(run, f"pair_{number}"),
                )
            )
        cr.execute(
            SQL(
                "CREATE UNLOGGED TABLE %s (a int, b int, link bool, score float8, reasons text)",
                self._scan_table(run, "edge"),
            )
        )
        cr.execute(
            SQL(
                "CREATE UNLOGGED TABLE %s (word varchar PRIMARY KEY, n int)",
                self._scan_table(run, "word"),
            )
        )
        cr.execute(
            SQL(
                "CREATE UNLOGGED TABLE %s (id serial, size int, score float8, reasons text,"
                " evidence text, members int[])",
                self._scan_table(run, "result"),
            )
        )

    @api.model
    def _scan_table(self, run, name):
        return SQL.identifier(f"hygiene_scan_{run.id}_{name}")

    # ------------------------------------------------------------------ stages

    @api.model
    def _chunk_keys(self, run, chunk, context):
        """The blocking keys of the contacts of one id range, routed to the key tables."""
        where = SQL("active AND id >= %s", chunk.low_id)
        if chunk.high_id:
            where = SQL("%s AND id <= %s", where, chunk.high_id)
        features = self.env["hygiene.duplicate.group"]._partner_features(where)
        routed = routed_keys(features.values(), name_keys_of(context["phonetic"]), run.chunks)
        for number, rows in routed.items():
            buffer = io.StringIO("".join(f"{h}\t{kind}\t{pid}\n" for h, kind, pid in rows))
            table = f"hygiene_scan_{run.id}_key_{number}"
            self.env.cr.copy_expert(f"COPY {table} (h, kind, pid) FROM STDIN", buffer)
        return {"partners": len(features), "keys": sum(len(rows) for rows in routed.values())}

    @api.model
    def _after_keys(self, run):
        """The statistics of the whole base the scoring needs: the emails and phones of many
        contacts (``candidate_blocks``' shared values), and how many persons carry each name
        word (``name_statistics``); the counts of whole names are read per chunk."""
        caps = shared_kind_caps(run.block_cap)
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT hygiene_email_key FROM res_partner
                 WHERE active AND hygiene_email_key != ''
              GROUP BY hygiene_email_key HAVING count(*) > %s
                 UNION
                SELECT phone FROM (SELECT DISTINCT id, unnest(ARRAY[hygiene_phone_key,
                                          hygiene_mobile_key]) AS phone
                                     FROM res_partner WHERE active) s
                 WHERE phone != '' GROUP BY phone HAVING count(*) > %s
                """,
                caps["e"],
                caps["p"],
            )
        )
        run.shared = json.dumps(sorted(row[0] for row in cr.fetchall()))
        cr.execute(
            SQL(
                """
                INSERT INTO %s (word, n)
                SELECT word, count(*) FROM res_partner p,
                       unnest(string_to_array(p.hygiene_name_key, ' ')) AS word
                 WHERE p.active AND NOT coalesce(p.is_company, false)
                   AND p.hygiene_name_key != '' AND word != ''
              GROUP BY word
                """,
                self._scan_table(run, "word"),
            )
        )

    @api.model
    def _statistics(self, run, features):
        """``score_pair``'s statistics for ``features``: the base's shared values, and the
        counts of the names and name words of these records only (the same figures as the
        whole base's for them)."""
        persons = {f.name_key for f in features.values() if f.name_key and not f.is_company}
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT hygiene_name_key, count(*) FROM res_partner WHERE active"
                " AND NOT coalesce(is_company, false) AND hygiene_name_key = ANY(%s)"
                " GROUP BY hygiene_name_key",
                sorted(persons),
            )
        )
        name_counts = dict(cr.fetchall())
        words = sorted({word for name in persons for word in name.split()})
        cr.execute(
            SQL("SELECT word, n FROM %s WHERE word = ANY(%s)", self._scan_table(run, "word"), words)
        )
        word_counts = dict(cr.fetchall())
        model = self.env["hygiene.duplicate.group"]._hygiene_scan_model()
        return frozenset(json.loads(run.shared or "[]")), name_counts, word_counts, model

    @api.model
    def _features_of(self, ids):
        return self.env["hygiene.duplicate.group"]._partner_features(
            SQL("active AND id = ANY(%s)", sorted(ids))
        )

    @api.model
    def _chunk_pairs(self, run, chunk, context):
        """The candidate pairs of the blocks of one key table, routed to the pair table of
        the chunk of their lower id. Only the contacts of oversized blocks are read (their
        second keys split them); the others are read once, when their pairs are scored."""
        cr = self.env.cr
        table = self._scan_table(run, f"key_{chunk.number}")
        cr.execute(
            SQL("SELECT kind, array_agg(pid) FROM %s GROUP BY h, kind HAVING count(*) > 1", table)
        )
        keyed = cr.fetchall()
        caps = [kind_cap(kind, run.block_cap) for kind, __ in KINDS]
        big = {pid for kind, ids in keyed if len(ids) > caps[kind] for pid in ids}
        features = self._split_features(big) if big else {}
        # a contact archived since its keys were read is left out (of the others, at scoring)
        keyed = [
            (kind, [pid for pid in ids if pid in features] if len(ids) > caps[kind] else ids)
            for kind, ids in keyed
        ]
        blocks, oversized = chunk_blocks(features, keyed, run.block_cap)
        del keyed, features
        starts = self._chunk_starts(run, context)
        routed = {}
        for block in blocks:
            block = sorted(block)
            for index, a in enumerate(block[:-1]):
                owner = max(0, bisect.bisect_right(starts, a) - 1)
                high = a << PAIR_SHIFT
                routed.setdefault(owner, set()).update(high | b for b in block[index + 1 :])
        del blocks
        for number, pairs in routed.items():
            buffer = io.StringIO("\n".join(map(str, pairs)) + "\n")
            cr.copy_expert(f"COPY hygiene_scan_{run.id}_pair_{number} (p) FROM STDIN", buffer)
        cr.execute(SQL("DROP TABLE %s", table))
        return {"oversized_blocks": oversized, "skipped_blocks": 0}

    @api.model
    def _split_features(self, ids):
        """What ``split_block`` reads of the contacts ``ids`` (name, email, postcode, birth
        date), as ``_partner_features`` gives it, without what it does not read (the street's
        normalisation, the customer numbers): most contacts of a key chunk are in an oversized
        block. ``tests/test_scan_chunks.py`` checks the values against the full features."""
        self.env.cr.execute(
            SQL(
                "SELECT id, hygiene_name_key, hygiene_email_key, zip, hygiene_birthdate,"
                " is_company FROM res_partner WHERE active AND id = ANY(%s)",
                sorted(ids),
            )
        )
        return {
            pid: Features(
                pid,
                name,
                email,
                frozenset(),
                None,
                (zip_code or "").replace(" ", "") or None,
                None,
                None,
                bool(is_company),
                None,
                birthdate and birthdate.isoformat(),
            )
            for pid, name, email, zip_code, birthdate, is_company in self.env.cr.fetchall()
        }

    @api.model
    def _chunk_starts(self, run, context):
        """The first contact id of each chunk of the run (its key chunks' ranges)."""
        if context.get("starts", (None,))[0] != run.id:
            self.env.cr.execute(
                SQL(
                    "SELECT low_id FROM hygiene_scan_chunk WHERE run_id = %s AND stage = 'keys'"
                    " ORDER BY number",
                    run.id,
                )
            )
            context["starts"] = (run.id, [row[0] for row in self.env.cr.fetchall()])
        return context["starts"][1]

    @api.model
    def _chunk_score(self, run, chunk, context):
        """Score each distinct pair of one pair table once; store the pairs at or above the
        threshold as edges, with their score and reasons (the groups stage reads them)."""
        cr = self.env.cr
        table = self._scan_table(run, f"pair_{chunk.number}")
        # distinct in Python: PostgreSQL's hash of a bigint folds its two halves (a ^ b), so
        # the pairs of near ids collide and a HashAggregate over them takes minutes
        cr.execute(SQL("SELECT p FROM %s", table))
        pairs = sorted({p for (p,) in cr.fetchall()})
        pairs = [(p >> PAIR_SHIFT, p & PAIR_MASK) for p in pairs]
        features = self._features_of({pid for pair in pairs for pid in pair})
        statistics = self._statistics(run, features)
        excluded = self.env["hygiene.duplicate.exclusion"]._excluded_pairs()
        threshold, compared, rows = run.threshold, 0, []
        for a, b in pairs:
            if (a, b) in excluded or a not in features or b not in features:
                continue
            compared += 1
            score, reasons = score_pair(features[a], features[b], *statistics)
            if score >= threshold:
                link = "f" if keeps_apart(reasons, score, threshold) else "t"
                rows.append(f"{a}\t{b}\t{link}\t{score!r}\t{REASON_SEP.join(reasons)}\n")
        del pairs, features
        cr.copy_expert(
            f"COPY hygiene_scan_{run.id}_edge (a, b, link, score, reasons) FROM STDIN",
            io.StringIO("".join(rows)),
        )
        cr.execute(SQL("DROP TABLE %s", table))
        return {"pairs": compared}

    @api.model
    def _after_pairs(self, run):
        """Nothing to gather: the pair tables are complete."""

    @api.model
    def _after_score(self, run):
        """The connected components of the linked pairs: each contact takes the smallest id it
        is linked to, then the label of its label, until nothing changes (SQL, any size)."""
        cr = self.env.cr
        node, edge = self._scan_table(run, "node"), self._scan_table(run, "edge")
        cr.execute(SQL("CREATE UNLOGGED TABLE %s (pid int PRIMARY KEY, comp int)", node))
        cr.execute(
            SQL(
                "INSERT INTO %s SELECT pid, pid FROM (SELECT a AS pid FROM %s WHERE link"
                " UNION SELECT b FROM %s WHERE link) s",
                node,
                edge,
                edge,
            )
        )
        cr.execute(SQL("ANALYZE %s", node))
        changed = True
        while changed:
            cr.execute(
                SQL(
                    """
                    UPDATE %(node)s n SET comp = s.comp
                      FROM (SELECT e.x AS pid, min(m.comp) AS comp
                              FROM (SELECT a AS x, b AS y FROM %(edge)s WHERE link
                                    UNION ALL SELECT b, a FROM %(edge)s WHERE link) e
                              JOIN %(node)s m ON m.pid = e.y
                          GROUP BY e.x) s
                     WHERE n.pid = s.pid AND s.comp < n.comp
                    """,
                    node=node,
                    edge=edge,
                )
            )
            changed = cr.rowcount > 0
            cr.execute(
                SQL(
                    "UPDATE %(node)s n SET comp = m.comp FROM %(node)s m"
                    " WHERE m.pid = n.comp AND m.comp < n.comp",
                    node=node,
                )
            )
            changed = changed or cr.rowcount > 0

    @api.model
    def _chunk_groups(self, run, chunk, context):
        """Cluster the components of one chunk with the features of their contacts only."""
        cr = self.env.cr
        node = self._scan_table(run, "node")
        cr.execute(
            SQL("SELECT pid FROM %s WHERE mod(comp, %s) = %s", node, run.chunks, chunk.number)
        )
        features = self._features_of([row[0] for row in cr.fetchall()])
        statistics = self._statistics(run, features)
        scored = self._stored_edges(run, chunk, features)
        excluded = self.env["hygiene.duplicate.exclusion"]._excluded_pairs()
        clusters, ambiguous = cluster_scored(features, scored, statistics, run.threshold, excluded)
        Group = self.env["hygiene.duplicate.group"]
        clusters = Group._split_by_company(clusters)
        pair_reasons = scored[1]
        grouped = [pair for ids, __ in clusters for pair in _pairs(ids) if pair in pair_reasons]
        evidence = pair_evidence(features, grouped, statistics)
        counts, scores, texts, weights, __, __ = Group._group_rows(
            range(len(clusters)), clusters, pair_reasons, evidence
        )
        if clusters:
            cr.execute(
                SQL(
                    "INSERT INTO %s (size, score, reasons, evidence, members)"
                    " SELECT g.size, g.score, g.reasons, g.evidence, g.members::int[]"
                    "   FROM unnest(%s::int[], %s::float8[], %s::text[], %s::text[], %s::text[])"
                    "     AS g(size, score, reasons, evidence, members)",
                    self._scan_table(run, "result"),
                    counts,
                    scores,
                    texts,
                    weights,
                    ["{" + ",".join(map(str, ids)) + "}" for ids, __ in clusters],
                )
            )
        return {"groups": len(clusters), "ambiguous_links": ambiguous}

    @api.model
    def _stored_edges(self, run, chunk, features):
        """``(pair_scores, pair_reasons, linkable, apart)`` of the edges of one chunk of
        components, as the score stage scored them (each pair once): not scored again."""
        node, edge = self._scan_table(run, "node"), self._scan_table(run, "edge")
        self.env.cr.execute(
            SQL(
                "SELECT e.a, e.b, e.link, e.score, e.reasons FROM %s e JOIN %s n ON n.pid = e.a"
                " WHERE mod(n.comp, %s) = %s",
                edge,
                node,
                run.chunks,
                chunk.number,
            )
        )
        pair_scores, pair_reasons, linkable, apart = {}, {}, {}, set()
        for a, b, link, score, reasons in self.env.cr.fetchall():
            if a not in features or b not in features:
                continue
            pair_scores[a, b] = score
            pair_reasons[a, b] = reasons.split(REASON_SEP) if reasons else []
            if link:
                linkable[a, b] = score
            else:
                apart.add((a, b))
        return pair_scores, pair_reasons, linkable, apart

    @api.model
    def _after_groups(self, run):
        """Replace the groups to review with the run's (set-based), drop its tables, log its
        figures; then the auto-merge when the run was the daily cron's."""
        cr = self.env.cr
        result = self._scan_table(run, "result")
        cr.execute(
            SQL(
                "DELETE FROM hygiene_duplicate_group_partner_rel WHERE group_id IN"
                " (SELECT id FROM hygiene_duplicate_group WHERE state = 'pending')"
            )
        )
        cr.execute(SQL("DELETE FROM hygiene_duplicate_group WHERE state = 'pending'"))
        cr.execute(SQL("ALTER TABLE %s ADD COLUMN gid int", result))
        cr.execute(SQL("UPDATE %s SET gid = nextval('hygiene_duplicate_group_id_seq')", result))
        cr.execute(
            SQL(
                """
                INSERT INTO hygiene_duplicate_group
                       (id, partner_count, score, reasons, evidence, state,
                        create_uid, create_date, write_uid, write_date)
                SELECT gid, size, round(score::numeric, 4), reasons, evidence, 'pending',
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM %(result)s ORDER BY id;
                INSERT INTO hygiene_duplicate_group_partner_rel (group_id, partner_id)
                SELECT gid, unnest(members) FROM %(result)s;
                """,
                uid=self.env.uid,
                result=result,
            )
        )
        Group = self.env["hygiene.duplicate.group"]
        Group.invalidate_model()
        Group._set_group_companies()
        stats = self._run_stats(run)
        for name in ("edge", "node", "result"):
            cr.execute(SQL("DROP TABLE IF EXISTS %s", self._scan_table(run, name)))
        # the name-word counts stay for the live warning (``res_partner_warning.py``)
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(NAME_WORD_TABLE)))
        cr.execute(
            SQL(
                "ALTER TABLE %s RENAME TO %s",
                self._scan_table(run, "word"),
                SQL.identifier(NAME_WORD_TABLE),
            )
        )
        run.stats = json.dumps(stats)
        _logger.info("duplicate scan: %s", stats)
        if run.auto_merge:
            Group._hygiene_auto_merge()

    @api.model
    def _run_stats(self, run):
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT extract(epoch FROM clock_timestamp() AT TIME ZONE 'UTC' - create_date)"
                " FROM hygiene_scan_run WHERE id = %s",
                run.id,
            )
        )
        # from the opening of the run to its end, whoever ran its chunks
        stats = {
            "partners": run.partners,
            "chunks": run.chunks,
            "seconds_run": round(float(cr.fetchone()[0]), 1),
        }
        stats.update(dict.fromkeys(SUMMED, 0))
        for chunk in self.env["hygiene.scan.chunk"].sudo().search([("run_id", "=", run.id)]):
            figures = json.loads(chunk.stats or "{}")
            for key in SUMMED:
                if chunk.stage != "keys" or key != "groups":
                    stats[key] += figures.get(key, 0)
            seconds = STAGE_SECONDS[chunk.stage]
            stats[seconds] = round(stats.get(seconds, 0) + figures.get("seconds", 0), 1)
        return stats
