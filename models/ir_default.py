from odoo import api, models
from odoo.exceptions import AccessError


class IrDefault(models.Model):
    """No personal default on the values the system sets.

    Any employee may store their own defaults (``ir.default`` rows of their user, over RPC or
    with the debug menu's *Set Defaults*), and the ORM adds them to every record created in
    their name, even by code running as superuser after its checks: the proof of a consent, the
    author of an import, the undo data of a merge journal. So only an administrator sets a
    default for the addon's own records, and nobody for a contact's fields that a service sets
    (``_hygiene_system_fields``: its last activity, provenance, keys, retention state).
    """

    _inherit = "ir.default"

    @api.model_create_multi
    def create(self, vals_list):
        field_ids = {vals["field_id"] for vals in vals_list if vals.get("field_id")}
        self._hygiene_check_system_defaults(self.env["ir.model.fields"].browse(field_ids))
        return super().create(vals_list)

    def write(self, vals):
        model_fields = self.field_id
        if vals.get("field_id"):
            model_fields |= self.env["ir.model.fields"].browse(vals["field_id"])
        self._hygiene_check_system_defaults(model_fields)
        return super().write(vals)

    @api.model
    def _hygiene_check_system_defaults(self, model_fields):
        if self.env.su:
            return
        administrator = self.env.user.has_group("base.group_system")
        refused = [
            field
            for field in model_fields.sudo()
            if field.model in self.env
            and (
                field.name in self.env[field.model]._hygiene_system_fields
                or (field.model.startswith("hygiene.") and not administrator)
            )
        ]
        if refused:
            raise AccessError(
                self.env._(
                    "These values are set by the system, not by a default: %(fields)s.",
                    fields=", ".join(f"{field.model}.{field.name}" for field in refused),
                )
            )
