import logging
import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from ..tools import normalize
from ..tools.matching import SCORE_REVIEW, Features, cluster, score_pair

_logger = logging.getLogger(__name__)

# Blocks larger than this (a generic mailbox, a switchboard, a very common name in one town) give
# no candidate pairs: they are reported, and their value only counts as weak evidence.
BLOCK_CAP = 50
INSERT_BATCH = 5000


class HygieneDuplicateGroup(models.Model):
    """A group of partners that are probably the same person or company, with its score and the
    reasons, waiting for a steward's decision (merge, or "not duplicates")."""

    _name = "hygiene.duplicate.group"
    _description = "Duplicate Group"
    _order = "score desc, id"

    partner_ids = fields.Many2many(
        "res.partner",
        "hygiene_duplicate_group_partner_rel",
        "group_id",
        "partner_id",
        string="Contacts",
    )
    partner_count = fields.Integer(string="Contacts in Group", readonly=True)
    score = fields.Float(
        digits=(3, 2),
        readonly=True,
        help="The weakest pair score inside the group (0-1): every pair is at least this close.",
    )
    reasons = fields.Text(readonly=True, help="Why each pair of the group matched.")
    state = fields.Selection(
        [("pending", "To Review"), ("merged", "Merged"), ("ignored", "Not Duplicates")],
        default="pending",
        required=True,
        index=True,
    )
    survivor_id = fields.Many2one(
        "res.partner",
        string="Keep",
        domain="[('id', 'in', partner_ids)]",
        help="The contact that stays; the others are merged into it.",
    )

    def _compute_display_name(self):
        for group in self:
            names = group.partner_ids[:3].mapped("display_name")
            more = len(group.partner_ids) - len(names)
            label = " / ".join(names) + (f" (+{more})" if more > 0 else "")
            group.display_name = label or self.env._("Empty group")

    # ------------------------------------------------------------------ decisions

    def action_not_duplicates(self):
        """Remember that the contacts of these groups are different people: never proposed again."""
        self.env["hygiene.duplicate.exclusion"]._exclude_groups(self)
        self.state = "ignored"

    def action_merge(self):
        for group in self:
            if group.state != "pending":
                raise UserError(self.env._("Only a group to review can be merged."))
            partners = group.partner_ids.filtered("active")
            survivor = group.survivor_id or group._default_survivor(partners)
            if len(partners) < 2:
                raise UserError(self.env._("This group has fewer than two active contacts left."))
            survivor._hygiene_merge(partners - survivor)
            group.write({"state": "merged", "survivor_id": survivor.id})
        return True

    @api.model
    def _hygiene_merge_above(
        self, min_score, limit=None, dry_run=False, batch_size=500, progress=None
    ):
        """Merge every group to review scoring at least ``min_score``, in batches.

        Each batch goes through the set-based batch merge; a refused group (two users, a unique
        conflict...) stays to review and is reported, the others are merged. ``progress`` is
        called with (groups done, groups in total) after each batch. Returns statistics.
        """
        self.check_access("write")
        groups = self.search(
            [("state", "=", "pending"), ("score", ">=", min_score)],
            limit=limit,
            order="score desc, id",
        )
        stats = {
            "groups": len(groups),
            "partners": sum(groups.mapped("partner_count")),
            "merged": 0,
            "refused": [],
        }
        if dry_run:
            return stats
        done = 0
        for batch in split_every(batch_size, groups.ids, self.browse):
            by_survivor, items = {}, []
            for group in batch:
                partners = group.partner_ids.filtered("active")
                if len(partners) < 2:
                    continue
                survivor = group.survivor_id or group._default_survivor(partners)
                by_survivor[survivor.id] = group
                items.append((survivor, partners - survivor, {}))
            refused = []
            if items:
                self.env["res.partner"]._hygiene_merge_batch(items, refused=refused)
            refused_ids = {survivor.id for survivor, __, __ in refused}
            for survivor_id, group in by_survivor.items():
                if survivor_id not in refused_ids:
                    group.write({"state": "merged", "survivor_id": survivor_id})
                    stats["merged"] += 1
            stats["refused"] += [
                (by_survivor[survivor.id], message) for survivor, __, message in refused
            ]
            done += len(batch)
            if progress:
                progress(done, len(groups))
        return stats

    def _default_survivor(self, partners):
        """The contact with a user, else the one with the most recent activity, else the oldest."""
        return partners.sorted(
            lambda p: (
                not p.user_ids,
                -(p.hygiene_last_activity_date.timestamp() if p.hygiene_last_activity_date else 0),
                p.id,
            )
        )[:1]

    # ------------------------------------------------------------------ scan

    @api.model
    def action_scan(self):
        stats = self._hygiene_scan()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Duplicate scan done"),
                "message": self.env._(
                    "%(partners)s contacts scanned, %(pairs)s pairs compared, %(groups)s groups "
                    "to review (%(seconds)s s).",
                    **{key: stats[key] for key in ("partners", "pairs", "groups", "seconds")},
                ),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_scan(self):
        """Daily scan; then, only if a steward set an auto-merge threshold (off by default),
        merge the groups at or above it. Everything below stays to review."""
        stats = self._hygiene_scan()
        auto = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("partner_data_hygiene.dedup_auto_merge_threshold", 0)
            or 0
        )
        if auto > 0:
            merged = self._hygiene_merge_above(auto)
            _logger.info(
                "duplicate auto-merge above %s: %s merged, %s refused",
                auto,
                merged["merged"],
                len(merged["refused"]),
            )
        self.env["ir.cron"]._notify_progress(done=stats["partners"], remaining=0)

    @api.model
    def _hygiene_scan(self, threshold=None, block_cap=BLOCK_CAP):
        """Scan every active partner and replace the groups to review; return statistics.

        Candidate pairs come from the stored keys (index-backed GROUP BY) and from a fuzzy block
        (postcode + name prefixes) for names with typos; each pair is scored in Python; groups are
        complete-linkage clusters, so they never chain unrelated people. Pairs marked "not
        duplicates" are never proposed again; groups already decided are kept.
        """
        self.check_access("create")
        started = time.perf_counter()
        threshold = threshold or float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("partner_data_hygiene.dedup_review_threshold", SCORE_REVIEW)
        )
        self.env.flush_all()
        features = self._scan_features()
        blocks, shared_values, oversized = self._scan_blocks(features, block_cap)
        excluded = self.env["hygiene.duplicate.exclusion"]._excluded_pairs()
        pair_scores, pair_reasons = {}, {}
        for block in blocks:
            for i, a in enumerate(block):
                for b in block[i + 1 :]:
                    key = (a, b) if a < b else (b, a)
                    if key in pair_scores or key in excluded:
                        continue
                    score, reasons = score_pair(features[a], features[b], shared_values)
                    pair_scores[key] = score
                    if score >= threshold:
                        pair_reasons[key] = reasons

        def score_fn(a, b):
            if (a, b) in excluded:
                return 0.0
            return score_pair(features[a], features[b], shared_values)[0]

        clusters = cluster(None, pair_scores, threshold, score_fn)
        self._store_groups(clusters, pair_reasons, features)
        stats = {
            "partners": len(features),
            "pairs": len(pair_scores),
            "groups": len(clusters),
            "oversized_blocks": oversized,
            "seconds": round(time.perf_counter() - started, 2),
        }
        _logger.info("duplicate scan: %s", stats)
        return stats

    @api.model
    def _scan_features(self):
        self.env.cr.execute(
            SQL(
                """
                SELECT id, hygiene_name_key, hygiene_email_key, hygiene_phone_key,
                       hygiene_mobile_key, hygiene_company_key, zip, city, street, is_company,
                       commercial_partner_id
                  FROM res_partner
                 WHERE active
                """
            )
        )
        features = {}
        for row in self.env.cr.fetchall():
            pid, name, email, phone, mobile, company, zip_code, city, street, is_company, family = (
                row
            )
            features[pid] = Features(
                pid,
                name,
                email,
                frozenset(p for p in (phone, mobile) if p),
                company,
                (zip_code or "").replace(" ", "") or None,
                city,
                normalize.street_key(street),
                bool(is_company),
                family,
            )
        return features

    @api.model
    def _scan_blocks(self, features, block_cap):
        """Lists of partner ids sharing a blocking key; values of oversized blocks are 'shared'."""
        queries = {
            "email": SQL(
                "SELECT hygiene_email_key, array_agg(id) FROM res_partner WHERE active"
                " AND hygiene_email_key IS NOT NULL GROUP BY 1 HAVING count(*) > 1"
            ),
            "phone": SQL(
                """
                SELECT key, array_agg(DISTINCT id) FROM (
                    SELECT id, hygiene_phone_key AS key FROM res_partner
                     WHERE active AND hygiene_phone_key IS NOT NULL
                 UNION ALL
                    SELECT id, hygiene_mobile_key FROM res_partner
                     WHERE active AND hygiene_mobile_key IS NOT NULL
                ) phones GROUP BY 1 HAVING count(DISTINCT id) > 1
                """
            ),
            "company": SQL(
                "SELECT hygiene_company_key, array_agg(id) FROM res_partner WHERE active"
                " AND hygiene_company_key IS NOT NULL GROUP BY 1 HAVING count(*) > 1"
            ),
            "name": SQL(
                "SELECT hygiene_name_key || '|' || coalesce(zip, ''), array_agg(id)"
                " FROM res_partner WHERE active AND hygiene_name_key IS NOT NULL"
                " AND (is_company OR zip IS NOT NULL) GROUP BY 1 HAVING count(*) > 1"
            ),
        }
        blocks, shared, oversized = [], set(), 0
        for kind, query in queries.items():
            self.env.cr.execute(query)
            for value, ids in self.env.cr.fetchall():
                if len(ids) > block_cap:
                    oversized += 1
                    if kind in ("email", "phone"):
                        shared.add(value)
                    continue
                blocks.append(ids)
        # Fuzzy block: same postcode and the same 3-letter prefixes of the name words, so that
        # "Dupont Jean" meets "Dupond Jean" even with a new email and no phone.
        fuzzy = {}
        for feature in features.values():
            if feature.name_key and feature.zip:
                prefixes = " ".join(sorted(word[:3] for word in feature.name_key.split()))
                fuzzy.setdefault((feature.zip, prefixes), []).append(feature.id)
        for ids in fuzzy.values():
            if 1 < len(ids) <= block_cap:
                blocks.append(ids)
            elif len(ids) > block_cap:
                oversized += 1
        return blocks, frozenset(shared), oversized

    @api.model
    def _store_groups(self, clusters, pair_reasons, features):
        """Replace the groups to review with ``clusters`` (set-based inserts)."""
        self.env.cr.execute(SQL("DELETE FROM hygiene_duplicate_group WHERE state = 'pending'"))
        uid = self.env.uid
        for batch in split_every(INSERT_BATCH, clusters):
            rows = []
            for ids, weakest in batch:
                lines = []
                for i, a in enumerate(ids):
                    for b in ids[i + 1 :]:
                        reasons = pair_reasons.get((a, b))
                        if reasons:
                            lines.append(f"#{a} ~ #{b}: {', '.join(reasons)}")
                rows.append(
                    SQL(
                        "(%s, %s, %s, 'pending',"
                        " %s, NOW() AT TIME ZONE 'UTC', %s, NOW() AT TIME ZONE 'UTC')",
                        len(ids),
                        round(weakest, 4),
                        "\n".join(lines[:20]),
                        uid,
                        uid,
                    )
                )
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO hygiene_duplicate_group
                           (partner_count, score, reasons, state,
                            create_uid, create_date, write_uid, write_date)
                    VALUES %s RETURNING id
                    """,
                    SQL(", ").join(rows),
                )
            )
            group_ids = [row[0] for row in self.env.cr.fetchall()]
            links = [
                SQL("(%s, %s)", group_id, partner_id)
                for group_id, (ids, __) in zip(group_ids, batch, strict=True)
                for partner_id in ids
            ]
            self.env.cr.execute(
                SQL(
                    "INSERT INTO hygiene_duplicate_group_partner_rel (group_id, partner_id)"
                    " VALUES %s",
                    SQL(", ").join(links),
                )
            )
        self.invalidate_model()


class HygieneDuplicateExclusion(models.Model):
    """A pair of partners a steward declared different people ("not duplicates")."""

    _name = "hygiene.duplicate.exclusion"
    _description = "Not-a-Duplicate Pair"

    partner_low_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    partner_high_id = fields.Many2one("res.partner", required=True, ondelete="cascade")

    _sql_constraints = [
        (
            "pair_unique",
            "unique(partner_low_id, partner_high_id)",
            "This pair is already marked as not duplicates.",
        ),
    ]

    @api.model
    def _excluded_pairs(self):
        self.env.cr.execute(
            SQL("SELECT partner_low_id, partner_high_id FROM hygiene_duplicate_exclusion")
        )
        return {tuple(row) for row in self.env.cr.fetchall()}

    @api.model
    def _exclude_groups(self, groups):
        existing = self._excluded_pairs()
        values = []
        for group in groups:
            ids = sorted(group.partner_ids.ids)
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    if (a, b) not in existing:
                        existing.add((a, b))
                        values.append({"partner_low_id": a, "partner_high_id": b})
        self.create(values)
