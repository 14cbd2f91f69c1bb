import json

from odoo import api, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL

# Core records the addon creates as superuser, whose defaults would decide what happens to a
# person: an export made public, a withdrawal's blacklist entry archived, a mail copied to another
# address, a segment's members. Only an administrator sets defaults for these.
_CORE_MODELS = frozenset(
    {
        "ir.attachment",
        "mail.activity",
        "mail.followers",
        "mail.mail",
        "mail.message",
        "mail.blacklist",
        "mailing.contact",
        "mailing.subscription",
        "mailing.list",
        "res.partner.category",
    }
)


class IrDefault(models.Model):
    """No personal default on the values the system sets.

    Any employee may store their own defaults (``ir.default`` rows of their user, over RPC or
    with the debug menu's *Set Defaults*), and the ORM adds them to every record created in
    their name, even by code running as superuser after its checks: the proof of a consent, the
    author of an import, the undo data of a merge journal. So only an administrator sets a
    default for the addon's own records, and nobody for a contact's fields that a service sets
    (``_hygiene_system_fields``: its last activity, provenance, keys, retention state, also
    through a model that inherits them, as ``res.users``).
    """

    _inherit = "ir.default"

    def _get_model_defaults(self, model_name, condition=False):
        """The defaults of a record created as superuser for the addon or one of the core models
        above (the system's own: a merge journal, a consent's proof, an evidence attachment, a
        withdrawal's blacklist entry) leave out the user's personal rows, such as one stored
        before these were refused: only an administrator's company or global defaults apply."""
        if self.env.su and self._hygiene_admin_only(model_name):
            return self._hygiene_shared_model_defaults(model_name, condition)
        return super()._get_model_defaults(model_name, condition)

    @api.model
    @tools.ormcache("self.env.company.id", "model_name", "condition", cache="default")
    def _hygiene_shared_model_defaults(self, model_name, condition=False):
        """``_get_model_defaults`` without the rows of a user (cleared with it: ir.default
        clears the "default" cache on every change)."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT f.name, d.json_value
                  FROM ir_default d
                  JOIN ir_model_fields f ON d.field_id = f.id
                 WHERE f.model = %s AND d.user_id IS NULL
                   AND (d.company_id IS NULL OR d.company_id = %s)
                   AND d.condition IS NOT DISTINCT FROM %s
                 ORDER BY d.company_id, d.id
                """,
                model_name,
                self.env.company.id or None,
                condition or None,
            )
        )
        result = {}
        for name, json_value in self.env.cr.fetchall():
            result.setdefault(name, json.loads(json_value))  # the company's row first
        return result

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
                field.name in self._hygiene_system_fields_of(self.env[field.model])
                or (not administrator and self._hygiene_admin_only(field.model))
            )
        ]
        if refused:
            raise AccessError(
                self.env._(
                    "These values are set by the system, not by a default: %(fields)s.",
                    fields=", ".join(f"{field.model}.{field.name}" for field in refused),
                )
            )
        restricted = [
            field
            for field in model_fields.sudo()
            if field.model in self.env and self._hygiene_restricted_field(field)
        ]
        if restricted:
            raise AccessError(
                self.env._(
                    "A default would show these values to every employee (defaults are readable "
                    "by all), while only some roles may read the fields: %(fields)s.",
                    fields=", ".join(f"{field.model}.{field.name}" for field in restricted),
                )
            )

    @api.model
    def _hygiene_restricted_field(self, model_field):
        """Whether ``model_field`` is one of the addon's fields readable by some roles only
        (a birth date, a legal hold's reason): core lets every employee read every default."""
        field = self.env[model_field.model]._fields.get(model_field.name)
        if field is None or not field.groups:
            return False
        while field.inherited:
            field = field.related_field
        return field.name.startswith("hygiene_") or field.model_name.startswith("hygiene.")

    @api.model
    def _hygiene_system_fields_of(self, model):
        """The fields of ``model`` only a service sets, its own and those it inherits."""
        names = set(model._hygiene_system_fields)
        for parent in model._inherits:
            names |= {
                name
                for name in self.env[parent]._hygiene_system_fields
                if name in model._fields and model._fields[name].inherited
            }
        return names

    @api.model
    def _hygiene_admin_only(self, model_name):
        return model_name.startswith("hygiene.") or model_name in _CORE_MODELS
