from odoo import models
from odoo.tools import SQL

from ..const import DEDUP_REVIEW_THRESHOLD, get_param
from ..tools.matching import BLOCK_CAP, SCORE_REVIEW, record_features, score_pair

# Rows read by the warning's look-ups, before the scan's scoring keeps the best of them.
WARNING_CANDIDATES = 20
# The persistent name-word counts of the last scan (``hygiene.duplicate.scan._after_groups``).
NAME_WORD_TABLE = "hygiene_name_word"


class ResPartner(models.Model):
    """The live warning judged by the scan's matcher (issue 16 §7): the candidates the stored
    keys find are scored with the scan's features, comparison levels, weights and statistics;
    those at or above the review threshold of the settings (what the scan would propose) come
    first, best first. The others stay listed after them: a form being typed holds less than a
    saved contact (a company name before its SIREN), and the user decides."""

    _inherit = "res.partner"

    def _hygiene_scored_matches(self, matches, keys, limit):
        """``limit`` of ``matches`` for ``self`` (being typed): those ``score_pair`` puts at or
        above the review threshold first, best first, then the others as found."""
        if not matches:
            return matches
        Group = self.env["hygiene.duplicate.group"]
        features = Group._partner_features(SQL("id = ANY(%s)", matches.ids))
        # The typed birth date counts only for who may read birth dates: otherwise the ranking
        # of same-name candidates, guess after guess, would tell an employee a contact's one
        birthdate = (
            self._fields["hygiene_birthdate"].is_accessible(self.env)
            and self.sudo().hygiene_birthdate
        )
        typed = record_features(
            0,
            keys,
            self.zip,
            self.city,
            self.street,
            self.is_company,
            self.parent_id.commercial_partner_id.id or None,
            birthdate and birthdate.isoformat(),
        )
        statistics = self._hygiene_live_statistics([typed, *features.values()])
        threshold = get_param(self.env, DEDUP_REVIEW_THRESHOLD) or SCORE_REVIEW
        # those the scan would propose (at or above its review threshold) first, best first;
        # then the others in the order the look-ups found them (exact keys, then sounds)
        order = {pid: index for index, pid in enumerate(matches.ids)}
        scored = sorted(
            (score < threshold, -score if score >= threshold else order[pid], pid)
            for pid, other in features.items()
            for score in (score_pair(typed, other, *statistics)[0],)
        )
        return self.browse([pid for __, __, pid in scored[:limit]])

    def _hygiene_live_statistics(self, records):
        """``score_pair``'s statistics for ``records`` as the scan computes them on the whole
        base: which of their emails and phones many contacts share, how many persons carry
        their names, and the name-word counts of the last scan (none before the first)."""
        cr = self.env.cr
        emails = sorted({f.email_key for f in records if f.email_key})
        phones = sorted({phone for f in records for phone in f.phones})
        cr.execute(
            SQL(
                """
                SELECT hygiene_email_key FROM res_partner
                 WHERE active AND hygiene_email_key = ANY(%(emails)s)
              GROUP BY hygiene_email_key HAVING count(*) > %(cap)s
                 UNION
                SELECT phone FROM (SELECT DISTINCT id, unnest(ARRAY[hygiene_phone_key,
                                          hygiene_mobile_key]) AS phone
                                     FROM res_partner
                                    WHERE active AND (hygiene_phone_key = ANY(%(phones)s)
                                          OR hygiene_mobile_key = ANY(%(phones)s))) s
                 WHERE phone = ANY(%(phones)s) GROUP BY phone HAVING count(*) > %(cap)s
                """,
                emails=emails,
                phones=phones,
                cap=BLOCK_CAP,
            )
        )
        shared = frozenset(row[0] for row in cr.fetchall())
        names = sorted({f.name_key for f in records if f.name_key and not f.is_company})
        cr.execute(
            SQL(
                "SELECT hygiene_name_key, count(*) FROM res_partner WHERE active"
                " AND NOT coalesce(is_company, false) AND hygiene_name_key = ANY(%s)"
                " GROUP BY hygiene_name_key",
                names,
            )
        )
        name_counts = dict(cr.fetchall())
        word_counts = None
        cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", NAME_WORD_TABLE))
        if cr.fetchone()[0]:
            words = sorted({word for name in names for word in name.split()})
            cr.execute(
                SQL(
                    "SELECT word, n FROM %s WHERE word = ANY(%s)",
                    SQL.identifier(NAME_WORD_TABLE),
                    words,
                )
            )
            word_counts = dict(cr.fetchall())
        model = self.env["hygiene.duplicate.group"]._hygiene_scan_model()
        return shared, name_counts, word_counts, model
