import functools
import json
import logging
import re
import threading
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every

from ..const import (
    DEDUP_AUTO_MERGE_THRESHOLD,
    DEDUP_REVIEW_THRESHOLD,
    get_param,
)
from ..tools import normalize
from ..tools.actions import notification
from ..tools.matching import (
    BLOCK_CAP,
    SCORE_REVIEW,
    Features,
    reason_templates,
)
from ..tools.matching.evidence_text import (
    COMPARISON_LABELS,
    LEVEL_LABELS,
    TOTAL_LABEL,
    evidence_items,
)

_logger = logging.getLogger(__name__)

# What a steward changes on a group (everything else is the scan's evidence).
REVIEW_FIELDS = frozenset({"state", "survivor_id"})

# the worker crons the daily scan wakes (an administrator may add more: see readme/CONFIGURE.md)
SCAN_WORKER_CRONS = (
    "partner_data_hygiene.ir_cron_duplicate_scan_worker_1",
    "partner_data_hygiene.ir_cron_duplicate_scan_worker_2",
)
SCAN_STAGES = ("keys", "pairs", "score", "groups")


def translate_reasons(env, text):
    """``text`` (reasons stored in English, see tools/matching.py ``REASON_TEMPLATES``) in the
    language of ``env``."""
    if not text:
        return text
    parts, last = [], 0
    for start, end, template, params in reason_templates(text):
        parts += [text[last:start], env._(template, **params)]  # pylint: disable=translation-required
        last = end
    parts.append(text[last:])
    return "".join(parts)


def translate_evidence(env, text):
    """The stored weights of a group's evidence (``pair_evidence``) in the language of ``env``."""
    return "\n".join(_translate_evidence_line(env, line) for line in text.split("\n"))


def _translate_evidence_line(env, line):
    pair = re.match(r"#\d+ ~ #\d+: ", line)
    prefix = pair.group(0) if pair else ""
    parsed = evidence_items(line[len(prefix) :])
    if parsed is None:
        return line
    items, total = parsed
    words = []
    for comparison, level, weight in items:
        label = env._(COMPARISON_LABELS[comparison])  # pylint: disable=translation-required
        if level:
            label += " " + env._(LEVEL_LABELS[level])  # pylint: disable=translation-required
        words.append(f"{label} {weight}")
    text = prefix + ", ".join(words)
    if total:
        text += " — " + env._(TOTAL_LABEL, total=total[0], offset=total[1])  # pylint: disable=translation-required
    return text


def _pairs(ids):
    ids = sorted(ids)
    return ((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])


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
    review_band = fields.Selection(
        [("auto", "Auto-Merge"), ("review", "Review")],
        compute="_compute_review_band",
        search="_search_review_band",
        help="Review: between the review threshold and the auto-merge threshold of the settings, "
        "for a steward to decide, best scores first. Auto-merge: at or above the auto-merge "
        "threshold (when set), merged by the daily scan.",
    )
    evidence = fields.Text(
        readonly=True,
        help="The weight of each comparison of each pair (Fellegi-Sunter log-odds: email, phone, "
        "name, birth date, address...), their total and the offset that gives a score of 0.5.",
    )
    reasons_label = fields.Text(
        string="Why", compute="_compute_reasons_label", help="Why each pair of the group matched."
    )
    # on the form only: a few lines per pair, which made every row of the lists tall
    evidence_label = fields.Text(
        string="Weights of the Evidence",
        compute="_compute_reasons_label",
        help="What each comparison of each pair weighed in its score, in words.",
    )
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        index=True,
        help="The company of the group's contacts (a group never mixes two companies).",
    )
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

    @api.model
    def _hygiene_auto_threshold(self):
        """The auto-merge threshold of the settings (0: off)."""
        return get_param(self.env, DEDUP_AUTO_MERGE_THRESHOLD) or 0.0

    @api.depends("score")
    def _compute_review_band(self):
        auto = self._hygiene_auto_threshold()
        for group in self:
            group.review_band = "auto" if auto and group.score >= auto else "review"

    def _search_review_band(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the review band."))
        values = {value} if isinstance(value, str) else set(value or ())
        if operator in ("!=", "not in"):
            values = {"auto", "review"} - values
        auto = self._hygiene_auto_threshold()
        if values == {"auto", "review"}:
            return []
        if values == {"auto"}:
            return [("score", ">=", auto)] if auto else [("id", "=", 0)]
        if values == {"review"}:
            return [("score", "<", auto)] if auto else []
        return [("id", "=", 0)]

    @api.depends("reasons", "evidence")
    @api.depends_context("lang")
    def _compute_reasons_label(self):
        for group in self:
            group.reasons_label = translate_reasons(self.env, group.reasons)
            group.evidence_label = group.evidence and translate_evidence(self.env, group.evidence)

    def _compute_display_name(self):
        for group in self:
            names = group.partner_ids[:3].mapped("display_name")
            more = len(group.partner_ids) - len(names)
            label = " / ".join(names) + (f" (+{more})" if more > 0 else "")
            group.display_name = label or self.env._("Empty group")

    # ------------------------------------------------------------------ written by the scan

    @api.model_create_multi
    def create(self, vals_list):
        """Groups are found by the scan: the auto-merge job (superuser) merges them, so a group
        a client made up would merge any contacts with more rights than the client has."""
        if not self.env.su:
            raise AccessError(self.env._("Duplicate groups are found by the scan."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            forged = set(vals) - REVIEW_FIELDS
            if forged or vals.get("state", "pending") not in ("pending", "ignored"):
                raise AccessError(
                    self.env._(
                        "A steward chooses the contact to keep or sets a group aside; the rest "
                        "of a duplicate group is found by the scan."
                    )
                )
            if vals.get("survivor_id") and any(
                vals["survivor_id"] not in group.partner_ids.ids for group in self
            ):
                raise UserError(self.env._("The contact to keep must be one of the group."))
        return super().write(vals)

    # ------------------------------------------------------------------ decisions

    def action_not_duplicates(self):
        """Remember that the contacts of these groups are different people: never proposed again."""
        self.env["hygiene.duplicate.exclusion"]._exclude_groups(self)
        self.write({"state": "ignored"})

    def action_merge(self):
        for group in self:
            if group.state != "pending":
                raise UserError(self.env._("Only a group to review can be merged."))
            partners = group.partner_ids.filtered("active")
            survivor = group.survivor_id or group._default_survivor(partners)
            if len(partners) < 2:
                raise UserError(self.env._("This group has fewer than two active contacts left."))
            survivor._hygiene_merge(partners - survivor)
            # the merge checked the user's rights on every contact
            group.sudo().write({"state": "merged", "survivor_id": survivor.id})
        return True

    def action_compare_merge(self):
        """Open the side-by-side comparison: the contact to keep and, field by field, whose
        value to keep, then merge."""
        self.ensure_one()
        if self.state != "pending":
            raise UserError(self.env._("Only a group to review can be merged."))
        if len(self._hygiene_compare_partners()) < 2:
            raise UserError(self.env._("This group has fewer than two active contacts left."))
        return self.env["hygiene.duplicate.compare"]._open_for_group(self)

    def _hygiene_compare_partners(self):
        """The active contacts of the group, the ones a merge takes."""
        self.ensure_one()
        return self.partner_ids.filtered("active")

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
                    group.sudo().write({"state": "merged", "survivor_id": survivor_id})
                    stats["merged"] += 1
            stats["refused"] += [
                (by_survivor[survivor.id], message) for survivor, __, message in refused
            ]
            done += len(batch)
            if progress:
                progress(done, len(groups))
        return stats

    @api.model
    def _hygiene_after_merge_undo(self, journals):
        """Hook called once merges (``hygiene.merge.journal``) were undone: the groups they
        closed are to review again, with the contacts back, instead of staying "Merged" with no
        action left until the next scan."""
        for journal in journals:
            groups = self.search(
                [
                    ("state", "=", "merged"),
                    ("survivor_id", "=", journal.survivor_id.id),
                    ("partner_ids", "in", journal.source_ids.ids),
                ]
            )
            groups.write({"state": "pending"})

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

    def action_scan(self):
        """Scan Now (list header button, shown without a selection): the web client calls it with
        the selected ids, which the scan ignores: it always scans every active contact."""
        stats = self.browse()._hygiene_scan()
        return notification(
            self.env._(
                "%(partners)s contacts scanned, %(pairs)s pairs compared, %(groups)s groups "
                "to review (%(seconds)s s).",
                **{key: stats[key] for key in ("partners", "pairs", "groups", "seconds")},
            ),
            title=self.env._("Duplicate scan done"),
        )

    @api.model
    def _cron_scan(self):
        """Daily scan, in chunks: this cron opens the run, wakes the worker crons, and works
        on it with them (each chunk committed), or enqueues one job per chunk when OCA
        ``queue_job`` is installed; the worker that ends the run merges, only if a
        steward set an auto-merge threshold (off by default), the groups at or above it."""
        self.check_access("write")
        threshold = get_param(self.env, DEDUP_REVIEW_THRESHOLD) or SCORE_REVIEW
        self.env.flush_all()
        Scan = self.env["hygiene.duplicate.scan"]
        run = Scan._start(threshold, BLOCK_CAP, auto_merge=True)
        # a test runs the whole scan in its own transaction, alone
        commit = not getattr(threading.current_thread(), "testing", False)
        if commit:
            # the workers must see the run
            self.env.cr.commit()  # pylint: disable=invalid-commit
        # the worker crons, or the jobs of OCA queue_job when it is installed
        Scan._dispatch(run, commit=commit)
        self.env["ir.cron"]._notify_progress(done=run.partners, remaining=0)

    @api.model
    def _cron_scan_work(self):
        """Worker cron: take chunks of the running scan, if any (woken by ``_cron_scan``)."""
        Scan = self.env["hygiene.duplicate.scan"]
        commit = not getattr(threading.current_thread(), "testing", False)
        for run in self.env["hygiene.scan.run"].sudo().search([("state", "in", SCAN_STAGES)]):
            Scan._work(run, commit=commit)

    @api.model
    def _hygiene_auto_merge(self):
        """Merge the groups at or above the auto-merge threshold, when one is set."""
        auto = self._hygiene_auto_threshold()
        if auto > 0:
            merged = self._hygiene_merge_above(auto)
            _logger.info(
                "duplicate auto-merge above %s: %s merged, %s refused",
                auto,
                merged["merged"],
                len(merged["refused"]),
            )

    @api.model
    def _hygiene_scan(self, threshold=None, block_cap=BLOCK_CAP):
        """Scan every active partner and replace the groups to review; return statistics.

        The scan runs in chunks (``hygiene.duplicate.scan``), here all in this transaction;
        the daily cron shares them between workers. Candidate pairs come from blocking keys
        (email key, each phone, company identifier, name + postcode, name + birth date,
        phonetic surname + first initial...; an oversized block is split by second keys,
        never skipped); each pair is scored; clusters never hold two records with evidence
        against each other (see tools/matching/). Pairs marked "not duplicates" are never
        proposed again; groups already decided are kept.
        """
        self.check_access("write")  # the steward's right on the review list
        started = time.perf_counter()
        threshold = threshold or get_param(self.env, DEDUP_REVIEW_THRESHOLD) or SCORE_REVIEW
        self.env.flush_all()
        Scan = self.env["hygiene.duplicate.scan"]
        run = Scan._start(threshold, block_cap)
        Scan._work(run)
        stats = {**json.loads(run.stats), "seconds": round(time.perf_counter() - started, 2)}
        _logger.info("duplicate scan: %s", stats)
        return stats

    @api.model
    def _scan_features(self):
        return self._partner_features(SQL("active"))

    @api.model
    def _partner_features(self, where):
        """Matching features (``tools.matching.Features``) of the partners selected by the SQL
        condition ``where``: stored keys, postcode, city, street key, birth date, customer
        numbers of their origins. Shared by the scan and the import, so both score with the
        same evidence."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id, hygiene_name_key, hygiene_email_key, hygiene_phone_key,
                       hygiene_mobile_key, hygiene_company_key, zip, city, street, is_company,
                       commercial_partner_id, hygiene_birthdate
                  FROM res_partner
                 WHERE %s
                """,
                where,
            )
        )
        features = {}
        street_key = functools.lru_cache(maxsize=200000)(normalize.street_key)
        for row in self.env.cr.fetchall():
            (
                pid,
                name,
                email,
                phone,
                mobile,
                company,
                zip_code,
                city,
                street,
                is_company,
                family,
                birthdate,
            ) = row
            features[pid] = Features(
                pid,
                name,
                email,
                frozenset(p for p in (phone, mobile) if p),
                company,
                (zip_code or "").replace(" ", "") or None,
                city,
                street_key(street),
                bool(is_company),
                family,
                birthdate and birthdate.isoformat(),
            )
        for pid, refs in self._partner_customer_refs(where):
            if pid in features:
                features[pid] = features[pid]._replace(ids=frozenset(refs))
        return features

    @api.model
    def _partner_customer_refs(self, where):
        """``(partner id, ["source id:customer number", ...])`` of the partners selected by
        ``where`` whose origins carry the contact's number in its source system (customer
        account, loyalty card): one number of one source is one customer."""
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, array_agg(DISTINCT source_id || ':' || source_ref)
                  FROM hygiene_partner_origin
                 WHERE source_ref IS NOT NULL AND source_ref != ''
                   AND partner_id IN (SELECT id FROM res_partner WHERE %s)
              GROUP BY partner_id
                """,
                where,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _set_group_companies(self):
        """The company of each group to review, for the multi-company rule (one statement)."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE hygiene_duplicate_group g SET company_id = c.company_id
                  FROM (SELECT r.group_id, max(p.company_id) AS company_id
                          FROM hygiene_duplicate_group_partner_rel r
                          JOIN res_partner p ON p.id = r.partner_id
                      GROUP BY r.group_id) c
                 WHERE c.group_id = g.id AND g.state = 'pending'
                   AND g.company_id IS DISTINCT FROM c.company_id
                """
            )
        )
        self.invalidate_model(["company_id"])

    def _split_by_company(self, clusters):
        """Each company is its own controller: a group never mixes contacts of two companies.
        A cluster spanning several is split per company, the contacts shared by all companies
        (no company) joining each part."""
        ids = sorted({pid for members, __ in clusters for pid in members})
        if not ids:
            return clusters
        self.env.cr.execute(SQL("SELECT id, company_id FROM res_partner WHERE id = ANY(%s)", ids))
        company = dict(self.env.cr.fetchall())
        result = []
        for members, weakest in clusters:
            companies = {company.get(pid) for pid in members} - {None}
            if len(companies) < 2:
                result.append((members, weakest))
                continue
            for company_id in sorted(companies):
                part = [pid for pid in members if company.get(pid) in (company_id, None)]
                if len(part) > 1:
                    result.append((part, weakest))
        return result

    @api.model
    def _group_rows(self, group_ids, batch, pair_reasons, evidence):
        """The columns of the groups ``batch`` (ids ``group_ids``) the scan stores: sizes,
        scores, reasons and evidence texts (20 pairs at most), and the rows of the partner
        relation."""
        counts, scores, texts, weights, link_groups, link_partners = [], [], [], [], [], []
        for group_id, (ids, weakest) in zip(group_ids, batch, strict=True):
            lines, weighed = [], []
            for a, b in _pairs(ids):
                reasons = pair_reasons.get((a, b))
                if reasons:
                    lines.append(f"#{a} ~ #{b}: {', '.join(reasons)}")
                if (a, b) in evidence:
                    weighed.append(f"#{a} ~ #{b}: {evidence[a, b]}")
            counts.append(len(ids))
            scores.append(round(weakest, 4))
            texts.append("\n".join(lines[:20]))
            weights.append("\n".join(weighed[:20]) or None)
            link_groups.extend([group_id] * len(ids))
            link_partners.extend(ids)
        return counts, scores, texts, weights, link_groups, link_partners
