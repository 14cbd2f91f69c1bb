"""Restriction of processing (GDPR Art. 18) on the contact: while a restriction request holds,
the contact stays out of exports (Odoo's list export) and merges; mailings are stopped by the
blacklist entry the request adds (see ``hygiene.privacy.request._hygiene_sync_restriction``)."""

from odoo import api, models
from odoo.exceptions import UserError

from .. import const

OFFICER = const.GROUP_OFFICER


class ResPartner(models.Model):
    _inherit = "res.partner"

    def export_data(self, fields_to_export):
        exported = self
        if not self.env.su and not self.env.user.has_group(OFFICER):
            restricted = self.sudo().filtered("hygiene_restricted")
            exported = self - restricted.with_env(self.env)
        result = super(ResPartner, exported).export_data(fields_to_export)
        # after the export: a refused export (no read right) is no export to log
        log = self.env["hygiene.export.log"]
        reached = log._hygiene_partners_reached(exported, fields_to_export)
        log._hygiene_log_export(exported | reached, fields_to_export)
        return result

    def _hygiene_privacy_check_merge(self, partners):
        restricted = partners.sudo().filtered("hygiene_restricted")
        if restricted:
            raise UserError(
                self.env._(
                    "%(partners)s: a restriction of processing (GDPR Art. 18) holds; no merge "
                    "until the privacy officer lifts it.",
                    partners=", ".join(restricted.mapped("display_name")),
                )
            )

    @api.depends("hygiene_privacy_request_ids.state", "hygiene_privacy_request_ids.request_type")
    def _compute_hygiene_restricted(self):
        self.env["hygiene.privacy.service"]._compute_restricted(self)
