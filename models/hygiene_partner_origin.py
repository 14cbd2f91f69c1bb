from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..const import GROUP_OFFICER


class HygienePartnerOrigin(models.Model):
    """Where a contact came from: one row per source the person was collected through.

    A partner can have several origins (a merged partner keeps all of them). The collection date is
    the one known by the source (when the person gave their data), not the date of the import.
    """

    _name = "hygiene.partner.origin"
    _description = "Contact Origin"
    _order = "collected_date, id"
    _rec_name = "source_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", string="Contact"
    )
    source_id = fields.Many2one("hygiene.source", required=True, index=True, ondelete="restrict")
    channel_type = fields.Selection(related="source_id.channel_type", store=True)
    source_ref = fields.Char(
        string="Identifier in Source",
        index="btree_not_null",
        help="The contact's identifier in the source system (customer number, subscriber id...).",
    )
    collected_date = fields.Datetime(
        string="Collected On",
        default=fields.Datetime.now,
        required=True,
        help="When the person's data was collected by the source (kept from the source file, "
        "not the date of the import).",
    )
    note = fields.Char(
        string="Origin Note", help="Free note on the origin, for example the file name and row."
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True)

    def init(self):
        result = super().init()
        # the first origin of a contact (_update_partner_first_origin): one index probe per contact
        create_index(
            self.env.cr,
            "hygiene_partner_origin_partner_first_index",
            self._table,
            ["partner_id", "collected_date", "id"],
        )
        return result

    @api.constrains("collected_date")
    def _check_collected_date(self):
        # Datetime.now() drops the microseconds that a create_date (the transaction's clock)
        # keeps: a date of this very second is not in the future.
        now = fields.Datetime.now() + timedelta(seconds=1)
        for origin in self:
            if origin.collected_date > now:
                raise ValidationError(
                    self.env._(
                        "The collection date of an origin cannot be in the future (%(date)s).",
                        date=origin.collected_date,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_client_origins(self._hygiene_values_with_defaults(vals_list))
        origins = super().create(vals_list)
        self._update_partner_first_origin(origins.partner_id.ids)
        return origins

    def write(self, vals):
        if not self.env.su and {"partner_id", "collected_date"} & vals.keys():
            self._check_client_origins(
                [
                    {
                        "partner_id": vals.get("partner_id", origin.partner_id.id),
                        "collected_date": vals.get("collected_date", origin.collected_date),
                    }
                    for origin in self
                ]
            )
        partner_ids = self.partner_id.ids
        result = super().write(vals)
        if {"partner_id", "source_id", "collected_date"} & vals.keys():
            self._update_partner_first_origin(partner_ids + self.partner_id.ids)
        return result

    @api.model
    def _check_client_origins(self, vals_list):
        """An origin moves the retention clock (the collection date starts it): it is recorded
        only on a contact the user may change, and only a privacy officer dates it before the
        contact existed in Odoo (the import records the dates of its file itself)."""
        partners = self.env["res.partner"].browse(
            {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
        )
        partners = partners.with_context(active_test=False)
        partners.check_access("write")
        if self.env.user.has_group(GROUP_OFFICER):
            return
        created = {p.id: p.create_date for p in partners.sudo()}
        for vals in vals_list:
            collected = vals.get("collected_date")
            if not collected or not vals.get("partner_id"):
                continue
            if fields.Datetime.to_datetime(collected) < created[vals["partner_id"]]:
                raise AccessError(
                    self.env._(
                        "Only privacy officers can date an origin before the contact was "
                        "created (%(date)s): it would bring its retention deadline forward.",
                        date=created[vals["partner_id"]],
                    )
                )

    def unlink(self):
        partner_ids = self.partner_id.ids
        result = super().unlink()
        self._update_partner_first_origin(partner_ids)
        return result

    @api.model
    def _update_partner_first_origin(self, partner_ids):
        """Copy the first origin (source, collection date) of ``partner_ids`` onto the partners.

        One set-based UPDATE for the whole batch, so that imports of many origins stay cheap.
        """
        if not partner_ids:
            return
        # only what the query reads: a flush_all() here would also run every pending compute of
        # the contacts just created (phone sanitising, commercial partner...) once per call
        self.flush_model(["partner_id", "source_id", "collected_date"])
        self.env["res.partner"].flush_model(["hygiene_source_id", "hygiene_collected_date"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET hygiene_source_id = first.source_id,
                       hygiene_collected_date = first.collected_date
                  FROM (
                        SELECT partner.id AS partner_id, o.source_id, o.collected_date
                          FROM unnest(%(partner_ids)s) AS partner(id)
                     LEFT JOIN LATERAL (
                                SELECT source_id, collected_date
                                  FROM hygiene_partner_origin
                                 WHERE partner_id = partner.id
                              ORDER BY collected_date, id
                                 LIMIT 1
                               ) o ON TRUE
                       ) first
                 WHERE p.id = first.partner_id
                   AND (p.hygiene_source_id IS DISTINCT FROM first.source_id
                        OR p.hygiene_collected_date IS DISTINCT FROM first.collected_date)
                """,
                partner_ids=sorted(set(partner_ids)),
            )
        )
        self.env["res.partner"].browse(partner_ids).invalidate_recordset(
            ["hygiene_source_id", "hygiene_collected_date"]
        )
