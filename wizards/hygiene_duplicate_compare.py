from lxml import etree

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..const import MERGE_SURVIVORSHIP, get_param
from ..tools.actions import notification

VALUE_PREVIEW = 80


class HygieneDuplicateCompare(models.TransientModel):
    """Side-by-side comparison of a duplicate group: the steward picks the contact to keep and,
    field by field, whose value it keeps, then merges."""

    _name = "hygiene.duplicate.compare"
    _description = "Compare and Merge Duplicates"

    group_id = fields.Many2one(
        "hygiene.duplicate.group", string="Duplicate Group", required=True, ondelete="cascade"
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "hygiene_duplicate_compare_partner_rel",
        "compare_id",
        "partner_id",
        string="Contacts",
        help="The active contacts of the group when the comparison was opened.",
    )
    survivor_id = fields.Many2one(
        "res.partner",
        string="Contact to Keep",
        required=True,
        domain="[('id', 'in', partner_ids)]",
        help="The contact that stays; the others are merged into it and archived.",
    )
    line_ids = fields.One2many(
        "hygiene.duplicate.compare.line", "wizard_id", string="Fields That Differ"
    )

    # ------------------------------------------------------------------ opening

    @api.model
    def _open_for_group(self, group):
        """Create the comparison of ``group`` with its lines and the defaults of the
        survivorship rule; return the window action that shows it."""
        group.ensure_one()
        group.check_access("write")
        self.check_access("create")
        partners = group._hygiene_compare_partners()
        survivor = group.survivor_id if group.survivor_id in partners else False
        survivor = survivor or group._default_survivor(partners)
        wizard = self.create(
            {
                "group_id": group.id,
                "partner_ids": [fields.Command.set(partners.ids)],
                "survivor_id": survivor.id,
                "line_ids": [
                    fields.Command.create(values)
                    for values in self._line_values(survivor, partners)
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Compare and Merge"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _line_values(self, survivor, partners):
        """One line per survivorship field whose values differ among ``partners``, the kept
        partner being the one the survivorship rule would take the value from."""
        Partner = self.env["res.partner"]
        names = self._compare_fields()
        partners.check_access("read")
        # The snapshot reads every survivorship field (as the merge does, privileged); only the
        # fields this user may read are shown.
        snapshot = Partner.sudo()._hygiene_merge_snapshot(partners.ids)
        rule = get_param(self.env, MERGE_SURVIVORSHIP)
        ordered = Partner._hygiene_survivorship_order(survivor, partners - survivor, snapshot, rule)
        partners = partners.sorted("id")
        lines = []
        for name in names:
            values = {snapshot[pid][name] or False for pid in partners.ids}
            if len(values) < 2:
                continue
            keep = next((row["id"] for row in ordered if row[name]), survivor.id)
            field = Partner._fields[name]
            lines.append(
                {
                    "field_name": name,
                    "field_label": field._description_string(self.env),
                    "values_text": "\n".join(
                        self.env._(
                            "#%(id)s %(partner)s: %(value)s",
                            id=partner.id,
                            partner=partner.display_name,
                            value=_display_value(partner, name),
                        )
                        for partner in partners
                    ),
                    "keep_partner_id": keep,
                }
            )
        return lines

    @api.model
    def _compare_fields(self):
        """The survivorship fields the comparison offers: those of the contact form (technical
        columns such as a calendar's last notification date mean nothing to a steward) that the
        current user may read."""
        Partner = self.env["res.partner"]
        arch = etree.fromstring(Partner.get_view(view_type="form")["arch"])
        # fields of the form itself, not of the sub-views of its one2many lists
        on_form = set(arch.xpath("//field[not(ancestor::field)]/@name"))
        return [
            name
            for name in Partner._hygiene_survivorship_fields()
            if name in on_form and Partner._fields[name].is_accessible(self.env)
        ]

    # ------------------------------------------------------------------ merge

    def action_merge(self):
        self.ensure_one()
        group = self.group_id
        group.check_access("write")
        if group.state != "pending":
            raise UserError(self.env._("Only a group to review can be merged."))
        partners = group._hygiene_compare_partners()
        if len(partners) < 2:
            raise UserError(self.env._("This group has fewer than two active contacts left."))
        survivor = self.survivor_id
        if survivor not in partners:
            raise UserError(
                self.env._(
                    "%(partner)s is no longer an active contact of this group: choose another "
                    "contact to keep.",
                    partner=survivor.display_name,
                )
            )
        field_values = self._chosen_values(partners)
        journal = survivor._hygiene_merge(partners - survivor, field_values=field_values)
        group.sudo().write({"state": "merged", "survivor_id": survivor.id})  # merged as the user
        return self._merged_notification(partners, survivor, field_values, journal)

    def _chosen_values(self, partners):
        """The value picked on each line, checked: a comparable field, from a contact still in
        the group."""
        field_values = {}
        allowed = set(self._compare_fields())
        for line in self.line_ids:
            keep = line.keep_partner_id
            if not keep:
                continue
            if line.field_name not in allowed:
                raise UserError(
                    self.env._(
                        "The field %(field)s cannot be chosen in a comparison.",
                        field=line.field_name,
                    )
                )
            if keep not in partners:
                raise UserError(
                    self.env._(
                        "The value of %(field)s comes from %(partner)s, which is no longer an "
                        "active contact of this group: choose another one.",
                        field=line.field_label,
                        partner=keep.display_name,
                    )
                )
            # A pick equal to the survivor's value changes nothing but stops the rule from
            # replacing it: what the screen shows is what the merge does.
            value = keep[line.field_name]
            if isinstance(value, models.BaseModel):
                value = value.id
            field_values[line.field_name] = value
        return field_values

    def _merged_notification(self, partners, survivor, field_values, journal):
        """What the merge did, in numbers, and the kept contact to check next."""
        moved = sum(count for count in (journal.sudo().counts or {}).values() if count)
        return notification(
            self.env._(
                "%(count)s contacts merged into %(survivor)s: %(values)s values chosen, "
                "%(moved)s records moved to it. Check it below; a mistake can be undone from "
                "the Merge Journal.",
                count=len(partners) - 1,
                survivor=survivor.display_name,
                values=len(field_values),
                moved=moved,
            ),
            title=self.env._("Contacts merged"),
            next_action={
                "type": "ir.actions.act_window",
                "res_model": "res.partner",
                "res_id": survivor.id,
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "current",
            },
        )


class HygieneDuplicateCompareLine(models.TransientModel):
    """One field of the comparison: each contact's value and whose value to keep."""

    _name = "hygiene.duplicate.compare.line"
    _description = "Compare and Merge Duplicates: Field"
    _order = "id"

    wizard_id = fields.Many2one(
        "hygiene.duplicate.compare", required=True, ondelete="cascade", index=True
    )
    partner_ids = fields.Many2many(related="wizard_id.partner_ids", string="Contacts")
    field_name = fields.Char(string="Technical Name", required=True, readonly=True)
    field_label = fields.Char(string="Field", readonly=True)
    values_text = fields.Text(string="Values", readonly=True)
    keep_partner_id = fields.Many2one(
        "res.partner",
        string="Keep the Value of",
        domain="[('id', 'in', partner_ids)]",
        help="The contact whose value the contact to keep gets.",
    )
    kept_value = fields.Char(string="Value Kept", compute="_compute_kept_value")

    @api.depends("keep_partner_id", "field_name")
    def _compute_kept_value(self):
        for line in self:
            if line.keep_partner_id and line.field_name in line.keep_partner_id._fields:
                line.kept_value = _display_value(line.keep_partner_id, line.field_name)
            else:
                line.kept_value = False


def _display_value(partner, name):
    """``partner.name`` as a short line of text for the comparison."""
    env = partner.env
    field = partner._fields[name]
    value = partner[name]
    if not value:
        return env._("(empty)")
    if field.type == "many2one":
        text = value.display_name
    elif field.type == "selection":
        text = dict(field._description_selection(env)).get(value, value)
    elif field.type == "html":
        text = html2plaintext(value)
    else:
        text = str(value)
    text = " ".join(text.split())
    if len(text) > VALUE_PREVIEW:
        text = text[: VALUE_PREVIEW - 1] + "…"
    return text
