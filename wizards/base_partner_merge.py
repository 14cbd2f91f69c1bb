from odoo import api, fields, models
from odoo.tools import SQL

from ..const import GROUP_STEWARD


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """The core contact merge (Contacts › Action › Merge, and every module calling ``_merge``)
    goes through the addon's merge engine.

    The core ``_merge`` keeps its own checks (at most 3 contacts, no parent with its child, at
    most one user, the same email unless administrator) and its extension points: bank accounts
    are merged first, the overrides of ``_update_foreign_keys`` of other apps (website visitors,
    loyalty cards...) still run around the re-pointing, and ``mail`` still logs the merge in the
    chatter. Only the generic work is replaced: the re-pointing of the rows referencing the
    partners and the copy of their values are done by ``res.partner._hygiene_merge``, so that
    the core screen also gets the merge journal, the refusal of a merge that would lose rows on
    a unique constraint (the core deletes them), the matching keys, consents (most restrictive
    wins), origins and last activity of the survivor. Who may merge is the core's rule (contact
    managers, the core checks); data stewards go through the engine's own checks as well.

    The core wizard then deletes the merged contacts, as it always did: its callers rely on
    it. Their journal is closed at once ("expired": the sources are gone, there is nothing to
    undo). On the screen, a data steward may tick ``hygiene_keep_merged``: the merged contacts
    then stay archived and linked to the survivor, as in the addon's own merges, and the merge
    can be undone from the journal within the undo window.
    """

    _inherit = "base.partner.merge.automatic.wizard"

    hygiene_keep_merged = fields.Boolean(
        string="Keep the Merged Contacts Archived",
        help="Keep the merged contacts archived and linked to the contact kept, so that the merge "
        "can be undone from the Merge Journal during the undo window (they are deleted after it). "
        "Unticked, they are deleted at once, as Odoo does, and the merge cannot be undone.",
    )

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        wizard = self[:1]
        if wizard.hygiene_keep_merged:
            # read by _update_foreign_keys_generic and by res.partner.unlink (the core's last
            # step), both reached through this environment
            wizard = wizard.with_context(hygiene_keep_merged=True)
            return super(BasePartnerMergeAutomaticWizard, wizard)._merge(
                partner_ids, dst_partner, extra_checks
            )
        return super()._merge(partner_ids, dst_partner, extra_checks)

    @api.model
    def _update_foreign_keys_generic(self, model, src_records, dst_record):
        if model != "res.partner" or not src_records:
            return super()._update_foreign_keys_generic(model, src_records, dst_record)
        values = self._hygiene_summed_values(src_records, dst_record)
        if self.env.user.has_group(GROUP_STEWARD):
            journal = dst_record._hygiene_merge(src_records, field_values=values)
        else:
            # The core screen is open to contact managers (its access rule), who merged with
            # the core's unchecked SQL: the engine runs privileged for them too, once the core's
            # checks (above) and their write access to the contacts are passed. Its journal and
            # consent events still name the user.
            (src_records | dst_record).with_context(active_test=False).check_access("write")
            survivor = dst_record.sudo()
            sources = src_records.sudo().with_context(active_test=False)
            journal = survivor._hygiene_merge_groups([(survivor, sources, values)])
        if not self.env.context.get("hygiene_keep_merged"):
            # The core deletes the sources right after: the journal keeps ids and counts only.
            journal.sudo().write(
                {"state": "expired", "before_values": False, "removed_rows": False}
            )
        return None

    @api.model
    def _merge_bank_accounts(self, src_partners, dst_partner):
        """The core moves the sources' bank accounts to the survivor; an account whose number the
        survivor already has gets its references moved to the survivor's, then is archived
        (``res.partner.bank.unlink`` archives), and the core counts on its generic re-pointing
        to delete it on the unique constraint (number, partner). The engine refuses such a
        conflict instead of deleting rows: these twins, already merged into the survivor's
        account, are deleted here, as the core does."""
        result = super()._merge_bank_accounts(src_partners, dst_partner)
        Bank = self.env["res.partner.bank"].sudo().with_context(active_test=False)
        kept = Bank.search([("partner_id", "=", dst_partner.id)])
        twins = Bank.search(
            [
                ("partner_id", "in", src_partners.ids),
                ("sanitized_acc_number", "in", kept.mapped("sanitized_acc_number")),
            ]
        )
        for twin in twins:  # references of the twins archived before the merge, too
            target = kept.filtered(
                lambda a, t=twin: a.sanitized_acc_number == t.sanitized_acc_number
            )
            self._update_foreign_keys_generic("res.partner.bank", twin, target[:1])
            self._update_reference_fields_generic("res.partner.bank", twin, target[:1])
        if twins:
            self.env.flush_all()
            self.env.cr.execute(SQL("DELETE FROM res_partner_bank WHERE id = ANY(%s)", twins.ids))
            twins.invalidate_recordset()
            self.env.invalidate_all(flush=False)
        return result

    @api.model
    def _update_reference_fields_generic(
        self, referenced_model, src_records, dst_record, additional_update_records=None
    ):
        if referenced_model == "res.partner" and self._hygiene_merged_by_engine(
            src_records, dst_record
        ):
            return None  # the engine re-pointed the reference columns too
        return super()._update_reference_fields_generic(
            referenced_model, src_records, dst_record, additional_update_records
        )

    @api.model
    def _update_values(self, src_partners, dst_partner):
        if not self._hygiene_merged_by_engine(src_partners, dst_partner):
            return super()._update_values(src_partners, dst_partner)
        # The engine chose the survivor's values (survivorship rule) and summed the plain
        # summable fields; company-dependent summable fields are summed company by company, as
        # the core does.
        names = [
            name
            for name in self._get_summable_fields()
            if name in dst_partner._fields and dst_partner._fields[name].company_dependent
        ]
        if not names:
            return None
        partners = (src_partners | dst_partner).sudo().with_context(active_test=False)
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        for company in companies:
            in_company = partners.with_company(company)
            dst_partner.with_company(company).sudo().write(
                {name: sum(in_company.mapped(name)) for name in names}
            )
        return None

    @api.model
    def _hygiene_summed_values(self, src_partners, dst_partner):
        """The values of the plain summable fields (``_get_summable_fields``: the customer and
        supplier ranks of ``account``) for the survivor: the sum over the merged partners."""
        partners = (src_partners | dst_partner).sudo().with_context(active_test=False)
        return {
            name: sum(partners.mapped(name))
            for name in self._get_summable_fields()
            if name in dst_partner._fields and not dst_partner._fields[name].company_dependent
        }

    @api.model
    def _hygiene_merged_by_engine(self, src_records, dst_record):
        sources = src_records.with_context(active_test=False).sudo()
        return bool(sources) and all(
            partner.hygiene_merged_into_id.id == dst_record.id for partner in sources
        )


class ResPartner(models.Model):
    _inherit = "res.partner"

    def unlink(self):
        """The core merge deletes its sources last: kept, archived, when the user asked the merge
        to stay undoable (``hygiene_keep_merged``). Only contacts the engine has just archived
        and linked to their survivor are kept; the daily job deletes them after the undo window.
        """
        if self.env.context.get("hygiene_keep_merged"):
            merged = (
                self.sudo()
                .with_context(active_test=False)
                .filtered(lambda partner: partner.hygiene_merged_into_id and not partner.active)
            )
            self -= merged.with_env(self.env)
        return super().unlink()
