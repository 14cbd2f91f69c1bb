"""Which contacts left the base through Odoo's list export, and who took them: when an exported
file leaks, the breach register (GDPR Art. 33) must say which people were in it."""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.models import fix_import_export_id_paths

from .. import const


class HygieneExportLog(models.Model):
    _name = "hygiene.export.log"
    _description = "Export of Contacts"
    _order = "id desc"

    date = fields.Datetime(default=fields.Datetime.now, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Exported By", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    partner_ids = fields.Many2many("res.partner", string="Contacts Exported", readonly=True)
    partner_count = fields.Integer(string="Contacts", readonly=True)
    field_names = fields.Text(string="Columns", readonly=True)

    @api.depends("date", "user_id", "partner_count")
    def _compute_display_name(self):
        for log in self:
            log.display_name = self.env._(
                "%(date)s: %(count)s contacts by %(user)s",
                date=fields.Datetime.to_string(log.date),
                count=log.partner_count,
                user=log.user_id.name or "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Written by the export itself (superuser), never by a client: a log a client could
        write would hide an export or blame someone else for it."""
        if not self.env.su:
            raise AccessError(self.env._("The export log is written by the exports themselves."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("The export log cannot be changed."))
        return super().write(vals)

    @api.model
    def _hygiene_partners_reached(self, records, field_names):
        """The contacts an export of ``records`` carries out through its relational columns
        (``child_ids/email``, ``partner_id/phone``...): their data is in the file too."""
        partners = self.env["res.partner"]
        for path in field_names or ():
            reached = records
            for name in fix_import_export_id_paths(path):
                field = reached._fields.get(name)
                if not field or not field.relational:
                    break
                reached = reached[name]
                if reached._name == "res.partner":
                    partners |= reached
        return partners

    @api.model
    def _hygiene_log_export(self, partners, field_names):
        """Record that the current user exported ``partners`` (ids only: the log must not be a
        second copy of the data)."""
        ids = [pid for pid in partners.ids if isinstance(pid, int)]
        if not ids:
            return
        user = self.env.user
        self.sudo().create(
            {
                "user_id": user.id,
                "company_id": self.env.company.id,
                "partner_ids": [fields.Command.set(ids)],
                "partner_count": len(ids),
                "field_names": ", ".join(field_names or ()),
            }
        )

    def unlink(self):
        if not self.env.su and not self.env.user.has_group(const.GROUP_MANAGER):
            raise AccessError(self.env._("Only the hygiene managers delete export logs."))
        return super().unlink()


class Base(models.AbstractModel):
    _inherit = "base"

    def export_data(self, fields_to_export):
        """Contacts exported through another model (users, orders... with ``partner_id/email``)
        are logged as well; res.partner logs its own export (see res_partner_privacy)."""
        result = super().export_data(fields_to_export)
        if self._name != "res.partner":
            log = self.env["hygiene.export.log"]
            partners = log._hygiene_partners_reached(self, fields_to_export)
            log._hygiene_log_export(partners, fields_to_export)
        return result
