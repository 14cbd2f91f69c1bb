import functools
from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL, split_every

from ..tools import normalize
from ..tools.matching import SCORE_AUTO, Features, is_generic_email, score_pair
from .hygiene_import_const import CANDIDATE_CAP, INSERT_CHUNK, MATCH_CHUNK
from .hygiene_import_grouping import VALID

EMPTY = frozenset()  # one object for every line without phones or customer number (216 bytes each)
CREATE = {"decision": "create"}  # the decision of a line like nobody (shared: read only)


class HygieneImportMatching(models.AbstractModel):
    """Matching stage of a contact import: the normalised lines are matched against the contacts
    and against each other, and a decision is proposed for each. Inherited by
    ``hygiene.import.batch``: ``self`` is the batch."""

    _name = "hygiene.import.matching"
    _inherit = "hygiene.import.grouping"
    _description = "Contact Import: Matching"

    def _line_chunks(self):
        """``[(first id, last id)]`` of the valid lines of the batch, ``MATCH_CHUNK`` lines each:
        the matching reads and scores one range at a time."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM hygiene_import_line WHERE batch_id = %s AND %s ORDER BY id
                """,
                self.id,
                VALID,
            )
        )
        ids = [line_id for (line_id,) in self.env.cr.fetchall()]
        return [(chunk[0], chunk[-1]) for chunk in split_every(MATCH_CHUNK, ids)]

    def _line_features(self, chunks=None):
        """Features of the valid lines of the batch (``tools.matching.Features``), read a range
        of lines at a time (``chunks``, all of them by default)."""
        ranges = self._line_chunks() if chunks is None else chunks
        return self._features_where(
            SQL("id BETWEEN %s AND %s", first, last) for first, last in ranges
        )

    def _line_features_of(self, ids):
        """Features of the valid lines ``ids`` of the batch, ``MATCH_CHUNK`` at a time."""
        return self._features_where(
            SQL("id = ANY(%s)", list(chunk)) for chunk in split_every(MATCH_CHUNK, sorted(ids))
        )

    def _features_where(self, conditions):
        """Features of the valid lines of the batch, one query per SQL condition of
        ``conditions``, with only the members of the normalised values the matcher compares,
        and the repeated values shared."""
        features = {}
        shared = {}.setdefault  # one string object per distinct postcode, town, street key
        street_key = functools.lru_cache(maxsize=100000)(normalize.street_key)
        source = self.source_id.id
        for condition in conditions:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, name_key, email_key, phone_key, mobile_key, company_key,
                           c->>'zip', c->>'city', c->>'street', coalesce(c->>'is_company', ''),
                           c->>'birthdate', c->>'source_ref'
                      FROM hygiene_import_line, LATERAL (SELECT clean_values::json AS c) v
                     WHERE batch_id = %s AND %s AND %s
                    """,
                    self.id,
                    VALID,
                    condition,
                )
            )
            for row in self.env.cr.fetchall():
                line_id, name_key, email, phone, mobile, company = row[:6]
                zip_code, city, street, is_company, birthdate, source_ref = row[6:]
                zip_code = (zip_code or "").replace(" ", "") or None
                features[line_id] = Features(
                    line_id,
                    name_key,
                    email,
                    frozenset(p for p in (phone, mobile) if p) if phone or mobile else EMPTY,
                    company,
                    zip_code and shared(zip_code, zip_code),
                    city and shared(city, city),
                    street_key(street),
                    is_company not in ("", "false"),
                    None,
                    birthdate,
                    frozenset([f"{source}:{source_ref}"]) if source_ref else EMPTY,
                )
        return features

    def _partner_candidates(self, condition):
        """``{line_id: {partner_id, ...}}``: contacts sharing a stored key with each valid line
        of the batch meeting ``condition`` (SQL on the line: a range of ids, a list of ids)."""
        joins = {
            "email": SQL("p.hygiene_email_key = l.email_key"),
            "phone": SQL("p.hygiene_phone_key = l.phone_key"),
            "phone_mobile": SQL("p.hygiene_mobile_key = l.phone_key"),
            "mobile": SQL("p.hygiene_mobile_key = l.mobile_key"),
            "mobile_phone": SQL("p.hygiene_phone_key = l.mobile_key"),
            "company": SQL("p.hygiene_company_key = l.company_key"),
            "name": SQL("p.hygiene_name_key = l.name_key AND p.zip = l.zip_key"),
            # the customer number of the line, already on a contact's origin from this source;
            # not correlated with the line (``o.source_ref = l.source_ref`` inside the sub-select
            # made a nested loop of every line with every contact: hours on 100,000 of each)
            "customer": SQL(
                """(p.id, l.source_ref) IN (SELECT o.partner_id, o.source_ref
                                              FROM hygiene_partner_origin o
                                             WHERE o.source_id = %s)""",
                self.source_id.id,
            ),
        }
        candidates = defaultdict(set)
        for join in joins.values():
            self.env.cr.execute(
                SQL(
                    """
                    SELECT l.id, array_agg(p.id ORDER BY p.id)
                      FROM (SELECT id, email_key, phone_key, mobile_key, company_key, name_key,
                                   clean_values::json->>'zip' AS zip_key,
                                   clean_values::json->>'source_ref' AS source_ref
                              FROM hygiene_import_line
                             WHERE batch_id = %(batch)s AND state = 'normalised'
                               AND error_kind IS NULL AND NOT coalesce(suppressed, FALSE)
                               AND %(condition)s) l
                      JOIN res_partner p ON %(join)s AND p.active
                                         AND (p.company_id IS NULL OR p.company_id = %(company)s)
                  GROUP BY l.id
                    HAVING count(*) <= %(cap)s
                    """,
                    batch=self.id,
                    condition=condition,
                    join=join,
                    cap=CANDIDATE_CAP,
                    # another company's contacts are another controller's: never matched
                    company=(self.company_id or self.env.company).id,
                )
            )
            # a key shared by more than CANDIDATE_CAP contacts is no evidence (filtered above)
            for line_id, partner_ids in self.env.cr.fetchall():
                candidates[line_id].update(partner_ids)
        return candidates

    def _partner_features(self, partner_ids):
        features = {}
        Groups = self.env["hygiene.duplicate.group"]
        for batch in split_every(10000, sorted(partner_ids)):
            features.update(Groups._partner_features(SQL("id = ANY(%s)", list(batch))))
        return features

    def _match_and_decide(self):
        """Match the normalised lines against the contacts and each other, propose decisions."""
        self.ensure_one()
        self.env.flush_all()
        # The normalisers' caches (100,000 values each) served the rows just normalised: emptied,
        # their memory holds the matcher's features instead of adding to them (pure functions:
        # nothing changes but the memory).
        for function in vars(normalize).values():
            if callable(getattr(function, "cache_clear", None)):
                function.cache_clear()
        # The lines were just inserted and normalised: without fresh statistics the planner
        # takes the batch for a few rows and joins the contacts with nested loops (10x slower).
        self.env.cr.execute(SQL("ANALYZE hygiene_import_line"))
        decisions = {}  # line id -> dict of columns
        # a list's decisions need every line's email; a file of contacts only the refused lines
        # here (the others are read by range when matched)
        refused = SQL(
            "TRUE" if self.kind != "contacts" else "(error_kind IS NOT NULL OR suppressed)"
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT id, error_kind, suppressed, email_key
                  FROM hygiene_import_line
                 WHERE batch_id = %s AND state = 'normalised' AND %s
                """,
                self.id,
                refused,
            )
        )
        lines = self.env.cr.fetchall()
        for line_id, error_kind, suppressed, __ in lines:
            if error_kind:
                reason = "unreadable" if error_kind == "unreadable" else "invalid"
                if error_kind == "no_identity":
                    reason = "no_identity"
                decisions[line_id] = {"decision": "quarantine", "reason": reason}
            elif suppressed:
                decisions[line_id] = {"decision": "quarantine", "reason": "suppressed"}
        if self.kind != "contacts":
            self._decide_list(lines, decisions)
        else:
            self._decide_contacts(decisions)
        self._write_decisions(decisions)
        self._set_line_state("staged", SQL("state = 'normalised'"))
        self._engine_write({"state": "staged"})
        self._stage_conflicts()

    def _write_decisions(self, decisions):
        """Write ``{line id: decision}`` on the lines, one UPDATE per ``INSERT_CHUNK`` lines;
        the lines become staged."""
        for chunk in split_every(INSERT_CHUNK, decisions.items()):
            values = SQL(", ").join(
                SQL(
                    "(%s, %s, %s, %s::integer, %s::integer, %s::float, %s)",
                    line_id,
                    d["decision"],
                    d.get("reason"),
                    d.get("partner"),
                    d.get("line"),
                    d.get("score"),
                    d.get("reasons"),
                )
                for line_id, d in chunk
            )
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE hygiene_import_line l
                       SET decision = v.decision, decision_reason = v.reason,
                           match_partner_id = v.partner, match_line_id = v.line,
                           score = v.score, reasons = v.reasons, state = 'staged'
                      FROM (VALUES %s) AS v(id, decision, reason, partner, line, score, reasons)
                     WHERE l.id = v.id
                    """,
                    values,
                )
            )

    def _decide_list(self, lines, decisions):
        """Unsubscribe and hard-bounce lists: apply to every contact with the email, never
        create one."""
        keys = {email for line_id, __, __, email in lines if email and line_id not in decisions}
        found = defaultdict(list)
        for chunk in split_every(10000, sorted(keys)):
            self.env.cr.execute(
                SQL(
                    "SELECT hygiene_email_key, array_agg(id ORDER BY id) FROM res_partner"
                    " WHERE hygiene_email_key = ANY(%s)"
                    " AND (company_id IS NULL OR company_id = %s) GROUP BY 1",
                    list(chunk),
                    (self.company_id or self.env.company).id,
                )
            )
            found.update(dict(self.env.cr.fetchall()))
        for line_id, __, __, email in lines:
            if line_id in decisions:
                continue
            partners = found.get(email)
            if partners:
                decisions[line_id] = {"decision": "update", "partner": partners[0], "score": 1.0}
            else:
                decisions[line_id] = {"decision": "skip", "reason": "no_contact"}

    @api.model
    def _score_line(self, line, partner):
        """Score of a line against a contact. A row that only gives an email (a list exported
        from an emailing tool) is the contact owning that personal address: nothing in the row
        contradicts it."""
        score, reasons = score_pair(line, partner)
        if (
            not line.name_key
            and line.email_key
            and line.email_key == partner.email_key
            and not is_generic_email(line.email_key)
        ):
            score = max(score, SCORE_AUTO)
        return score, reasons

    def _best_contacts(self, conditions, cache=None):
        """``{line id: (score, reasons, partner id)}``: the best contact of the base of each line
        that has one, the lines being matched a set at a time (``conditions``: SQL, a range of
        ids or a list of ids each; their candidates and the candidates' features are held for
        one set only; ``cache``: the features of the lines, when the caller holds them)."""
        best = {}
        for condition in conditions:
            candidates = self._partner_candidates(condition)
            if not candidates:
                continue
            features = cache if cache is not None else self._features_where([condition])
            partner_features = self._partner_features(
                {pid for ids in candidates.values() for pid in ids}
            )
            for line_id, partner_ids in candidates.items():
                line = features.get(line_id)
                if not line:
                    continue
                scored = [
                    (*self._score_line(line, partner_features[pid]), pid)
                    for pid in partner_ids
                    if pid in partner_features
                ]
                if scored:
                    score, reasons, pid = max(scored, key=lambda item: (item[0], -item[2]))
                    best[line_id] = (score, reasons, pid)
        return best

    def _decide_contacts(self, decisions):
        """Decide the valid lines of a file of contacts: first the lines grouped with others of
        the file (few), a share of their components at a time (``_in_file_group_shares``), then
        the others a range at a time, each range's lines matched against the contacts; each
        share's and range's decisions written before the next is read (the refused lines'
        ``decisions`` by the caller)."""
        chunks = self._line_chunks()
        review = self._review_threshold()
        look_alikes = self._look_alike_lines()
        # a file of one range: its lines' features read once for every stage below (the memory
        # of one range, as each stage holds anyway), not five times
        cache = self._line_features(chunks) if len(chunks) == 1 else None
        for clusters, pair_reasons, features in self._in_file_group_shares(chunks, cache=cache):
            grouped = sorted({member for members, __ in clusters for member in members})
            best = self._best_contacts(
                (SQL("id = ANY(%s)", list(ids)) for ids in split_every(MATCH_CHUNK, grouped)),
                cache,
            )
            share = {}
            self._decide_in_file(features, best, share, review, (clusters, pair_reasons))
            for line_id in grouped:
                if line_id not in share:  # the leader of its group
                    share[line_id] = self._base_decision(best.get(line_id), review)
            self._review_look_alikes(share, look_alikes)
            # written now: the grouped lines are staged, so the ranges below skip them
            self._write_decisions(share)
        for first, last in chunks:
            condition = SQL("id BETWEEN %s AND %s", first, last)
            best = self._best_contacts([condition], cache)
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM hygiene_import_line WHERE batch_id = %s AND %s AND %s",
                    self.id,
                    VALID,
                    condition,
                )
            )
            chunk = {
                line_id: self._base_decision(best.get(line_id), review)
                for (line_id,) in self.env.cr.fetchall()
                if line_id not in decisions
            }
            self._review_look_alikes(chunk, look_alikes)
            self._write_decisions(chunk)
        self._review_look_alikes(decisions, look_alikes)

    @api.model
    def _base_decision(self, best, review):
        """The decision of a line from its best contact of the base (``(score, reasons,
        partner id)``, None when it has none)."""
        score, reasons, pid = best or (0.0, [], None)
        if pid and score >= SCORE_AUTO:
            decision = {"decision": "update", "partner": pid}
        elif pid and score >= review:
            decision = {"decision": "quarantine", "reason": "uncertain_match", "partner": pid}
        else:
            pid = pid if score >= review else None
            # most lines: one shared decision, never changed in place
            decision = {"decision": "create"} if pid else CREATE
        if pid:
            decision.update(score=score, reasons=", ".join(reasons))
        return decision

    def _decide_in_file(self, features, best, decisions, review, groups):
        """Decisions of the lines the matcher groups with other lines of the file (``groups``:
        ``(clusters, pair_reasons)`` of one share of ``_in_file_group_shares``; ``best``: each
        line's best contact of the base, as ``(score, reasons, partner id)``)."""
        clusters, pair_reasons = groups
        for members, weakest in clusters:
            # the leader: the line matching a contact best, else the first line of the file
            leader = max(members, key=lambda m: (best.get(m, (0,))[0] >= SCORE_AUTO, -m))
            for member in members:
                if member == leader:
                    continue
                key = (min(member, leader), max(member, leader))
                score = score_pair(features[member], features[leader])[0]
                reasons = pair_reasons.get(key) or score_pair(features[member], features[leader])[1]
                sure = weakest >= SCORE_AUTO
                # below the auto-merge score the rows are created, each its own contact, and the
                # scan proposes them as one duplicate group in the review band (the same
                # matcher groups them the same way): the steward reviews the group, best
                # scores first, instead of rows held back in quarantine (issue 16)
                decisions[member] = {
                    "decision": "merge" if sure else "create",
                    "reason": "in_file" if sure else "uncertain_in_file",
                    "line": leader,
                    "score": score,
                    "reasons": ", ".join(reasons),
                }
                base_score, base_reasons, pid = best.get(member, (0.0, [], None))
                if not sure and pid and base_score >= review:
                    # it also looks like a contact of the base: the steward decides, with it
                    decisions[member] = {
                        "decision": "quarantine",
                        "reason": "uncertain_match",
                        "partner": pid,
                        "score": base_score,
                        "reasons": ", ".join(base_reasons),
                    }

    def _look_alike_lines(self):
        """The ids of the lines with look-alike characters (read before any decision is
        written: the lines are then staged)."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM hygiene_import_line"
                " WHERE batch_id = %s AND look_alike AND state = 'normalised'",
                self.id,
            )
        )
        return {line_id for (line_id,) in self.env.cr.fetchall()}

    @api.model
    def _review_look_alikes(self, decisions, look_alikes):
        """Rows with look-alike characters (``look_alikes``, ids) are never merged nor matched
        automatically: a homoglyph may imitate an existing contact (bad-input catalogue N3)."""
        for line_id in look_alikes.intersection(decisions):
            decision = decisions[line_id]
            if decision["decision"] in ("update", "merge") or decision.get("reason") in (
                "uncertain_match",
                "uncertain_in_file",
            ):
                decisions[line_id] = {**decision, "decision": "quarantine", "reason": "look_alike"}
