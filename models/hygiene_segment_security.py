"""The rights of the segments (security review of the control step, issue 18).

The refresh runs as the system; what a user sets on a segment must not let it reach more than
the user can: a segment stays in its author's companies, its filter runs with its author's
rights, and the tag, list and counts it keeps are the refresh's only.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

# Written by the refresh only: a client pointing a segment at another tag or mailing list would
# have the next refresh (as the system) add and remove that list's subscriptions, opt-outs
# included.
SYSTEM_FIELDS = ("tag_id", "mailing_list_id", "member_count", "last_refresh_date", "domain_uid")


class HygieneSegment(models.Model):
    _inherit = "hygiene.segment"

    # kept by the refresh: a copy gets its own tag and list (it shared them, and refreshing the
    # copy removed the original's members from them)
    tag_id = fields.Many2one(copy=False)
    mailing_list_id = fields.Integer(copy=False)
    last_refresh_date = fields.Datetime(copy=False)
    member_count = fields.Integer(copy=False)
    domain_uid = fields.Many2one(
        "res.users",
        string="Filter Set By",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The refresh runs the filter with this user's rights (record rules included).",
    )
    tag_members = fields.Boolean(
        string="Tag the Members",
        default=True,
        help="Set the segment's tag on its members. Every employee who sees a contact sees its "
        "tags: leave this off for a segment whose membership is not theirs to know (the "
        "'do not solicit' contacts of the re-permission segment).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the context's default_<field> values count: the ORM adds them after this check
        for vals in self._hygiene_values_with_defaults(vals_list):
            self._hygiene_check_system_fields(vals)
        for vals in vals_list:
            vals["domain_uid"] = self.env.uid
        return super().create(vals_list)

    def write(self, vals):
        self._hygiene_check_system_fields(vals)
        if "domain" in vals:
            vals = dict(vals, domain_uid=self.env.uid)
        return super().write(vals)

    @api.model
    def _hygiene_check_system_fields(self, vals):
        if not self.env.su and any(name in vals for name in SYSTEM_FIELDS):
            raise AccessError(
                self.env._("The tag, list and counts of a segment are kept by its refresh.")
            )

    @api.constrains("company_id", "domain", "marketing", "purpose_id", "active")
    def _check_company_scope(self):
        """A segment for every company materialises every company's contacts: in a database
        of several companies only an administrator sets or changes one; anyone else keeps a
        segment in one of their own companies (the record rule is checked before a write
        only, so it does not stop a move to another company)."""
        if self.env.su or self.env.user.has_group("base.group_system"):
            return
        several = self.env["res.company"].sudo().search_count([]) > 1
        for segment in self:
            if segment.company_id and segment.company_id in self.env.user.company_ids:
                continue
            if not segment.company_id and not several:
                continue
            raise ValidationError(
                self.env._(
                    "%(name)s would reach the contacts of companies you do not belong to: only "
                    "an administrator can set or change a segment for every company. Choose "
                    "your company.",
                    name=segment.name,
                )
            )

    def _hygiene_author_partners(self):
        """``res.partner`` with the rights of the filter's author: the refresh runs as the
        system, and a filter through relations the author cannot read (another company's
        orders or contacts under a shared contact...) would reveal them through the members."""
        author = self.domain_uid
        Partner = self.env["res.partner"].with_context(active_test=True)
        if not author or author._is_superuser():
            return Partner.sudo()
        return Partner.with_user(author).with_context(allowed_company_ids=author.company_ids.ids)

    def _hygiene_author_search(self, domain):
        """The query of the contacts matching ``domain`` for the filter's author; none when the
        author can no longer read what the filter uses (the segment empties)."""
        try:
            return self._hygiene_author_partners()._search(domain)
        except AccessError:
            return self.env["res.partner"].sudo()._search([("id", "=", 0)])

    def _hygiene_member_companies(self):
        """A member follows their contact's company (record rule): a contact moved to another
        company is no longer shown to the first one's users."""
        self.env.cr.execute(
            SQL(
                """UPDATE hygiene_segment_member m SET company_id = p.company_id
                     FROM res_partner p
                    WHERE m.segment_id = %s AND p.id = m.partner_id
                      AND m.company_id IS DISTINCT FROM p.company_id""",
                self.id,
            )
        )

    # ------------------------------------------------------------ what a refresh exposes

    def _hygiene_sync_tag(self, entered_ids, left_ids):
        """No tag when the segment does not tag its members; a tag set before goes from
        every contact."""
        if self.tag_members:
            result = super()._hygiene_sync_tag(entered_ids, left_ids)
            self._hygiene_sync_tag_name()
            return result
        if self.tag_id:
            tag = self.tag_id
            self.sudo().tag_id = False
            tag.sudo().unlink()
            self.env["res.partner"].invalidate_model(["category_id"])
        return None

    def _hygiene_sync_tag_name(self):
        """The tag says the segment's name in each language the segment has one (it was
        created in the refresh's language only: "Newsletter opt-in group" on a French
        contact's tags, beside the segment named "Groupe opt-in newsletter")."""
        self.ensure_one()
        names = self._fields["name"]._get_stored_translations(self) or {}
        tags = self.tag_id.sudo()
        stored = tags._fields["name"]._get_stored_translations(tags) or {}
        changed = {lang: name for lang, name in names.items() if name and stored.get(lang) != name}
        if changed:
            tags.update_field_translations("name", changed)

    def _hygiene_sync_mailing_list(self, entered_ids, left_ids):
        """A mailing list only for a marketing segment, the one kind whose members are checked
        for consent, suppression and restriction; a list made while the segment was used for
        marketing is emptied (its subscriptions go, nothing is recorded as an opt-out)."""
        if self.marketing:
            return super()._hygiene_sync_mailing_list(entered_ids, left_ids)
        if self.mailing_list_id and "mailing.subscription" in self.env:
            subscriptions = self.env["mailing.subscription"].sudo()
            subscriptions.search([("list_id", "=", self.mailing_list_id)]).unlink()
        return None
