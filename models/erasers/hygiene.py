from odoo import api, models
from odoo.tools import SQL

from ...tools import normalize
from ..res_partner_warning import NAME_WORD_TABLE


class HygieneEraserHygiene(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (70, "hygiene.consent", "_hygiene_erase_hygiene"),
            (75, "hygiene.import.line", "_hygiene_erase_import_lines"),
            (76, "hygiene.duplicate.group", "_hygiene_erase_name_words"),
        ]

    def _hygiene_erase_hygiene(self, erasure):
        """This addon's own records: the proof of the consents (the events stay), the import
        provenance, the before-values of the merges."""
        Engine = self._hygiene_engine()
        counts = erasure.counts
        counts["hygiene.consent"] += self.env["hygiene.consent"]._hygiene_erase_proof(erasure.nodes)
        counts["hygiene.partner.origin"] += Engine._hygiene_blank(
            "hygiene.partner.origin", SQL("partner_id = ANY(%s)", erasure.nodes)
        )
        counts["hygiene.merge.journal"] += Engine._hygiene_blank_merge_journals(erasure.nodes)

    def _hygiene_erase_import_lines(self, erasure):
        """Staging lines of the files the persons came from, linked or by their matching keys."""
        Line = self.env["hygiene.import.line"]
        email_keys = sorted({key for key in map(normalize.email_key, erasure.emails) if key})
        links = [
            name
            for name, field in Line._fields.items()
            if field.type == "many2one" and field.comodel_name == "res.partner" and field.store
        ]
        conditions = [SQL("%s = ANY(%s)", SQL.identifier(name), erasure.nodes) for name in links]
        # Lines of the same person not (or not yet) linked: by their matching keys.
        keys = {"email_key": email_keys, "phone_key": erasure.phones, "mobile_key": erasure.phones}
        conditions += [
            SQL("%s = ANY(%s)", SQL.identifier(name), values)
            for name, values in keys.items()
            if name in Line._fields and Line._fields[name].store and values
        ]
        if conditions:
            erasure.counts["hygiene.import.line"] += self._hygiene_engine()._hygiene_blank(
                "hygiene.import.line", SQL(" OR ").join(conditions)
            )

    def _hygiene_erase_name_words(self, erasure):
        """The name-word counts the last duplicate scan keeps for the live warning: the persons'
        words are counted once less, and a word nobody else carries goes (the next scan counts
        them afresh)."""
        cr = self.env.cr
        cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", NAME_WORD_TABLE))
        if not cr.fetchone()[0]:
            return
        words = sorted(
            {
                word
                for person in erasure.people.values()
                for name in person["names"]
                for word in (normalize.person_name_key(name) or "").split()
                if word
            }
        )
        if not words:
            return
        table = SQL.identifier(NAME_WORD_TABLE)
        cr.execute(SQL("UPDATE %s SET n = n - 1 WHERE word = ANY(%s)", table, words))
        cr.execute(SQL("DELETE FROM %s WHERE n <= 0", table))
