from collections import defaultdict

from odoo import api, http, models
from odoo.tools import SQL, ormcache

from ...tools import anonymize
from ..hygiene_eraser import LAYER_SEQUENCE


class HygieneEraserBase(models.AbstractModel):
    """The layers of ``base``, ``mail`` and ``bus`` under every application: block lists, queued
    bus notifications, portal sessions, wizards still open."""

    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (LAYER_SEQUENCE + 30, "mail.blacklist", "_hygiene_erase_blacklists"),
            (LAYER_SEQUENCE + 40, "bus.bus", "_hygiene_erase_bus"),
            (LAYER_SEQUENCE + 50, "res.device.log", "_hygiene_erase_devices"),
            (LAYER_SEQUENCE + 60, "ir.model", "_hygiene_erase_wizards"),
        ]

    def _hygiene_erase_blacklists(self, erasure):
        """Plain-text block lists: the hashed suppression list replaces them."""
        Engine = self._hygiene_engine()
        erasure.counts["mail.blacklist"] += Engine._hygiene_unlink_where(
            "mail.blacklist", SQL("email = ANY(%s)", erasure.emails)
        )
        erasure.counts["phone.blacklist"] += Engine._hygiene_unlink_where(
            "phone.blacklist", SQL("number = ANY(%s)", erasure.phones)
        )

    def _hygiene_erase_bus(self, erasure):
        """Bus notifications still queued may carry a message body or a name."""
        if erasure.values:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM bus_bus WHERE message ILIKE ANY(%s)",
                    [anonymize.like_pattern(v) for v in erasure.values],
                )
            )

    def _hygiene_erase_devices(self, erasure):
        """The sessions of their portal users: the device log (IP address, browser, place) and
        the session files on the server (they hold the login, which is their email): deleted,
        which also logs them out everywhere."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM res_device_log WHERE user_id IN"
                " (SELECT id FROM res_users WHERE partner_id = ANY(%s))"
                " RETURNING session_identifier",
                erasure.nodes,
            )
        )
        erasure.counts["res.device.log"] += self.env.cr.rowcount
        identifiers = sorted({row[0] for row in self.env.cr.fetchall() if row[0]})
        if identifiers:
            http.root.session_store.delete_from_identifiers(identifiers)

    @api.model
    @ormcache()
    def _hygiene_wizard_links(self):
        """((model, [(comodel, field type, column or (relation, column1, column2))]), ...) of
        the wizards (transient models) with stored links; computed once per registry."""
        result = []
        for Model in self.env.registry.values():
            if not Model._transient or Model._abstract or not Model._auto:
                continue
            links = []
            for name, field in Model._fields.items():
                if not field.store or field.type not in ("many2one", "many2many"):
                    continue
                if field.type == "many2one":
                    links.append((field.comodel_name, "many2one", name))
                else:
                    relation = (field.relation, field.column1, field.column2)
                    links.append((field.comodel_name, "many2many", relation))
            if links:
                result.append((Model._name, tuple(links)))
        return tuple(result)

    def _hygiene_erase_wizards(self, erasure):
        """Wizards still open on the persons or their documents (a mail composer with the
        quotation, the portal access wizard, a lead conversion): deleted now rather than by the
        hourly vacuum."""
        targets = {model: sorted(ids) for model, ids in erasure.documents.items() if ids}
        filled = self._hygiene_filled_wizards()
        queries = []
        for model, links in self._hygiene_wizard_links():
            conditions = [
                self._hygiene_wizard_condition(kind, column, targets[comodel])
                for comodel, kind, column in links
                if targets.get(comodel)
            ]
            if model in filled and conditions:
                queries.append(
                    SQL(
                        "SELECT %s::varchar, id FROM %s WHERE %s",
                        model,
                        SQL.identifier(self.env[model]._table),
                        SQL(" OR ").join(conditions),
                    )
                )
        if not queries:
            return
        # One round trip for every wizard table (they are small, and mostly empty).
        self.env.cr.execute(SQL(" UNION ALL ").join(queries))
        found = defaultdict(list)
        for model, record_id in self.env.cr.fetchall():
            found[model].append(record_id)
        for model, ids in found.items():
            self.env[model].sudo().browse(ids).unlink()
            erasure.counts[model] += len(ids)

    def _hygiene_filled_wizards(self):
        """The wizard models whose table holds rows (most are empty: vacuumed hourly)."""
        wizards = self._hygiene_wizard_links()
        if not wizards:
            return set()
        self.env.cr.execute(
            SQL(" UNION ALL ").join(
                SQL(
                    "SELECT %s::varchar WHERE EXISTS (SELECT 1 FROM %s)",
                    model,
                    SQL.identifier(self.env[model]._table),
                )
                for model, __ in wizards
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _hygiene_wizard_condition(self, kind, column, ids):
        if kind == "many2one":
            return SQL("%s = ANY(%s)", SQL.identifier(column), ids)
        relation, column1, column2 = column
        return SQL(
            "id IN (SELECT %s FROM %s WHERE %s = ANY(%s))",
            SQL.identifier(column1),
            SQL.identifier(relation),
            SQL.identifier(column2),
            ids,
        )
