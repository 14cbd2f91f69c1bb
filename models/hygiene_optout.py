"""Unsubscribes linked to the mailing that carried them (issue 18)."""

import re

from odoo import api, fields, models
from odoo.exceptions import AccessError

_MAILING_PATH = re.compile(r"^/mailing/(\d+)/")


class HygieneOptout(models.Model):
    """An unsubscribe linked to the mailing that carried it (Odoo keeps only the list and the
    date): the unsubscribe rate per mailing and per month comes from these rows."""

    _name = "hygiene.optout"
    _description = "Unsubscribe Linked to Its Mailing"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    kind = fields.Selection(
        [("list", "Unsubscribed from a list"), ("blocklist", "Blocked every mailing")],
        required=True,
        readonly=True,
    )
    mailing_id = fields.Integer(readonly=True, index="btree_not_null", string="Mailing Id")
    mailing_name = fields.Char(readonly=True, string="Mailing")
    list_name = fields.Char(readonly=True, string="Mailing List")
    partner_id = fields.Many2one("res.partner", readonly=True, ondelete="set null", index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    count = fields.Integer(default=1, readonly=True, aggregator="sum", string="Unsubscribes")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Unsubscribes are recorded by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("An unsubscribe record cannot be changed."))
        return super().write(vals)

    @api.model
    def _hygiene_current_mailing(self):
        """The mailing of the unsubscribe being processed: the one in the route
        (``/mailing/<id>/...``, whose token the controller has checked) or in the request's
        parameters, or the ``hygiene_mailing_id`` of the context (server-side callers)."""
        mailing_id = self.env.context.get("hygiene_mailing_id")
        if not mailing_id:
            from odoo.http import request

            if request:
                match = _MAILING_PATH.match(request.httprequest.path or "")
                if match:
                    mailing_id = int(match.group(1))
                else:
                    try:
                        mailing_id = int(request.params.get("mailing_id") or 0)
                    except (TypeError, ValueError, AttributeError):
                        mailing_id = 0
        if not mailing_id or "mailing.mailing" not in self.env:
            return None
        mailing = self.env["mailing.mailing"].sudo().browse(mailing_id).exists()
        return mailing or None

    @api.model
    def _hygiene_record(self, kind, emails, lists=None):
        """Record one unsubscribe per email (and list); called from the hooks on
        ``mailing.subscription`` and ``mail.blacklist``."""
        mailing = self._hygiene_current_mailing()
        Partner = self.env["res.partner"].sudo()
        vals_list = []
        for email, list_name in emails:
            partner = Partner._hygiene_find_by_email(email) if email else Partner
            vals_list.append(
                {
                    "kind": kind,
                    "mailing_id": mailing.id if mailing else False,
                    "mailing_name": mailing.subject if mailing else False,
                    "list_name": list_name or False,
                    "partner_id": partner.id,
                    "company_id": partner.company_id.id or self.env.company.id,
                }
            )
        if vals_list:
            self.sudo().create(vals_list)


class Base(models.AbstractModel):
    """Unsubscribes of Email Marketing caught on ``base`` (the addon does not depend on it):
    a subscription set to opt-out, an address added to the blocklist."""

    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        if self._name == "link.tracker.click":
            self._hygiene_click_of_own_mailing(vals_list)
        records = super().create(vals_list)
        if self._name == "mailing.subscription":
            optouts = records.filtered("opt_out")
            if optouts:
                self.env["hygiene.optout"]._hygiene_record(
                    "list", [(s.contact_id.email, s.list_id.name) for s in optouts.sudo()]
                )
        elif self._name == "mail.blacklist":
            active = records.filtered("active")
            if active:
                self.env["hygiene.optout"]._hygiene_record(
                    "blocklist", [(r.email, False) for r in active.sudo()]
                )
        return records

    def write(self, vals):
        if self._name == "mailing.subscription" and vals.get("opt_out"):
            before = self.filtered(lambda s: not s.opt_out)
            result = super().write(vals)
            if before:
                self.env["hygiene.optout"]._hygiene_record(
                    "list", [(s.contact_id.email, s.list_id.name) for s in before.sudo()]
                )
            return result
        if self._name == "mail.blacklist" and vals.get("active"):
            before = self.filtered(lambda r: not r.active)
            result = super().write(vals)
            if before:
                self.env["hygiene.optout"]._hygiene_record(
                    "blocklist", [(r.email, False) for r in before.sudo()]
                )
            return result
        return super().write(vals)

    @api.model
    def _hygiene_click_of_own_mailing(self, vals_list):
        """A click marks a recipient's trace only with a link of the mailing that recipient
        received. Odoo's public ``/r/<code>/m/<trace id>`` route takes any trace id with any
        link code: a visitor holding one link of one mailing could mark every recipient of
        every mailing as having clicked (engagement score, "do not solicit", last activity and
        so the retention clock). The click itself is still counted, on the link. A link that
        belongs to no mailing is left to Odoo (it marks the trace given with it)."""
        trace_ids = {vals["mailing_trace_id"] for vals in vals_list if vals.get("mailing_trace_id")}
        if not trace_ids or "mailing.trace" not in self.env:
            return
        traces = self.env["mailing.trace"].sudo().browse(trace_ids).exists()
        trace_mailing = {trace.id: trace.mass_mailing_id.id for trace in traces}
        links = (
            self.env["link.tracker"]
            .sudo()
            .browse({vals["link_id"] for vals in vals_list if vals.get("link_id")})
        )
        link_mailing = {link.id: link.mass_mailing_id.id for link in links.exists()}
        for vals in vals_list:
            trace_id = vals.get("mailing_trace_id")
            if not trace_id:
                continue
            mailing_id = link_mailing.get(vals.get("link_id")) or False
            # a link of no mailing (a tracked URL of the website...) keeps Odoo's behaviour:
            # core marks the trace given with it, and its own tests rely on that
            if trace_id in trace_mailing and not mailing_id:
                continue
            if trace_id not in trace_mailing or trace_mailing[trace_id] != mailing_id:
                vals["mailing_trace_id"] = False
                vals["mass_mailing_id"] = mailing_id
