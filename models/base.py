import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

# Events of optional apps (sale, account, mass_mailing, website) that come from the person.
# They are caught on ``base`` so that the addon does not depend on those apps: the check is a dict
# lookup on the model name, so every other model pays nothing measurable.
# model -> name of the method that turns the written values into [(partner_id, datetime, source)]
_ACTIVITY_WRITE_HOOKS = {
    "sale.order": "_hygiene_activity_from_sale_order",
    "account.move": "_hygiene_activity_from_invoice",
    "mailing.trace": "_hygiene_activity_from_mailing_trace",
}
_ACTIVITY_CREATE_HOOKS = {
    "crm.lead": "_hygiene_activity_from_website_form",
    "mail.mail": "_hygiene_activity_from_website_form",
}
# website form model -> field holding the email of the person who filled the form
_WEBSITE_FORM_EMAIL_FIELDS = {
    "crm.lead": "email_from",
    "mail.mail": "reply_to",  # the form sends the email as the company, from the visitor's address
}


# Forms of optional apps that get the live duplicate warning (a view widget, see
# static/src/js/duplicate_hint.js), injected here so that the addon does not depend on those apps.
_DUPLICATE_HINT_FORMS = frozenset({"crm.lead"})


class Base(models.AbstractModel):
    _inherit = "base"
    # fields no user's own default (ir.default) may set: only their services do (ir_default.py)
    _hygiene_system_fields = frozenset()

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form" and self._name in _DUPLICATE_HINT_FORMS:
            sheet = arch.find(".//sheet")
            if sheet is not None and not sheet.xpath(".//widget[@name='hygiene_duplicate_hint']"):
                hint = arch.makeelement("widget", {"name": "hygiene_duplicate_hint"})
                sheet.insert(0, hint)
        return arch, view

    @api.model
    def _hygiene_values_with_defaults(self, vals_list):
        """``vals_list`` as ``create`` will write it: each with the context's ``default_<field>``
        values, then the user's and the company's ``ir.default`` values, for the fields it lacks.
        The ORM adds those after every override of ``create`` has run, and any RPC client sends
        a context or sets its own personal defaults: a check of client values reads these."""
        defaults = {
            # as the ORM reads them for this environment (as superuser: no personal rows)
            **self.env["ir.default"]._get_model_defaults(self._name),
            **{
                key[8:]: value
                for key, value in self.env.context.items()
                if key.startswith("default_") and key[8:] in self._fields
            },
        }
        if not defaults:
            return vals_list
        return [{**defaults, **vals} for vals in vals_list]

    @api.model
    def _hygiene_without_context_defaults(self, names):
        """``self`` without the context's ``default_<name>`` values for the fields ``names``
        (the system's own fields, that a default left in a context must not set)."""
        context = self.env.context
        dropped = {key for key in context if key.startswith("default_") and key[8:] in names}
        if not dropped:
            return self
        # a context without those keys: with_context(**values) can only add or change keys
        kept = {key: context[key] for key in context if key not in dropped}
        return self.with_context(kept)  # pylint: disable=context-overridden

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.su and self._name.startswith("hygiene."):
            # The addon's records created as superuser are the system's own: their values are
            # the code's, never a ``default_<field>`` of the context a client sent to the
            # method that creates them (its proof, its author, its company...).
            records = super(Base, self._hygiene_without_context_defaults(self._fields)).create(
                vals_list
            )
            records = records.with_env(self.env)
        else:
            records = super().create(vals_list)
        hook = _ACTIVITY_CREATE_HOOKS.get(self._name)
        if hook and records:
            records._hygiene_apply_activity(getattr(records, hook)(records))
        return records

    def write(self, vals):
        hook = _ACTIVITY_WRITE_HOOKS.get(self._name)
        moved = self
        if hook and self and "state" in vals and "state" in self._fields:
            # a record already in the state written (an order confirmed again) is no new
            # contact from the customer: its last activity does not move
            moved = self.filtered(lambda record: record.state != vals["state"])
        result = super().write(vals)
        if hook and moved:
            moved._hygiene_apply_activity(getattr(moved, hook)(vals))
        return result

    def onchange(self, values, field_names, fields_spec):
        if self._name.startswith("hygiene.") and not self.env.su:
            self._hygiene_check_onchange_links(values)
        return super().onchange(values, field_names, fields_spec)

    def _hygiene_check_onchange_links(self, values):
        """The records a form's values link to must be readable by the user: a new record's
        fields computed from them as superuser (a consent's company, its stored related and
        precomputed fields) would otherwise tell anything of any record given its id."""
        for name, value in values.items():
            field = self._fields.get(name)
            if field is None or field.type != "many2one" or not value:
                continue
            record_id = value.get("id") if isinstance(value, dict) else value
            if isinstance(record_id, list | tuple):
                record_id = record_id[0] if record_id else None
            if not isinstance(record_id, int):
                continue
            # the rules as a query: ``check_access`` on the record would evaluate them on it as
            # superuser, putting all its fields in the cache, where the form's computes would
            # then read fields of it the user may not read (a hold's reason)
            Comodel = self.env[field.comodel_name].with_context(active_test=False)
            Comodel.browse().check_access("read")
            if not Comodel.search_count([("id", "=", record_id)], limit=1):
                raise AccessError(
                    self.env._(
                        "You may not read the record linked by %(field)s.",
                        field=field._description_string(self.env),
                    )
                )

    def _hygiene_readable_related(self, link, name, target=None):
        """Set ``target`` (default ``name``) of ``self`` to ``<link>.<name>`` where the reader
        may read the ``link`` record, empty elsewhere: a related field read as superuser would
        show any record's value to a new record's onchange given its id (another company's
        consent, a snapshot), and one read with the reader's rights would make a whole list
        fail on one record it may not read (a contact moved to another company)."""
        linked = self[link]
        # the rules as a query (not ``_filtered_access``, which evaluates them on the records as
        # superuser and leaves all their fields in the cache for any compute to read)
        Linked = linked.browse().with_context(active_test=False)
        ids = [record_id for record_id in linked.ids if isinstance(record_id, int)]
        readable = (
            Linked.search([("id", "in", ids)]) if ids and Linked.has_access("read") else Linked
        )
        values = {record.id: record[name] for record in readable}
        for record in self:
            record[target or name] = values.get(record[link].id, False)

    def _hygiene_isolated(self, items, function, errors=Exception, label="batch"):
        """Run ``function(items)`` in a savepoint; when it raises one of ``errors``, run
        ``function([item])`` again for each item in its own savepoint, so that one bad item
        (a row something still points to, a refused merge group...) does not stop the others.

        Returns ``{"ok": [(chunk, result)], "failed": [(item, error)]}``: one ``ok`` entry for
        the whole of ``items`` when the batch passed, else one per item that passed. Failing
        statements are not logged with their parameters (``odoo.sql_db`` is muted: they may
        quote personal data) and only the class of an error is logged; the caller reports the
        failed items. The one implementation of "savepoint, else one by one".
        """
        cr = self.env.cr
        try:
            with mute_logger("odoo.sql_db"), cr.savepoint():
                return {"ok": [(items, function(items))], "failed": []}
        except errors as error:
            _logger.info("%s failed (%s), retrying one by one", label, type(error).__name__)
        self.env.invalidate_all(flush=False)
        outcome = {"ok": [], "failed": []}
        for item in items:
            try:
                with mute_logger("odoo.sql_db"), cr.savepoint():
                    outcome["ok"].append(([item], function([item])))
            except errors as error:
                self.env.invalidate_all(flush=False)
                outcome["failed"].append((item, error))
        return outcome

    def _hygiene_apply_activity(self, events):
        """Record ``events`` ([(partner_id, datetime, source)]) on the partners, newest wins."""
        if not events:
            return
        self.env["res.partner"]._hygiene_register_activities(events)

    def _hygiene_activity_from_sale_order(self, vals):
        """A quotation confirmed into a sales order is a contact from the customer."""
        if vals.get("state") != "sale":
            return []
        now = fields.Datetime.now()
        return [(order.partner_id.id, now, "sale_order") for order in self if order.partner_id]

    def _hygiene_activity_from_invoice(self, vals):
        """A posted customer invoice: the date of the invoice, not the date of the posting."""
        if vals.get("state") != "posted":
            return []
        now = fields.Datetime.now()
        events = []
        for move in self:
            if move.move_type != "out_invoice" or not move.partner_id:
                continue
            date = fields.Datetime.to_datetime(move.invoice_date) if move.invoice_date else now
            events.append((move.partner_id.id, min(date, now), "invoice"))
        return events

    def _hygiene_activity_from_mailing_trace(self, vals):
        """A click on a link of a mailing counts; an open (tracking pixel) never does (CNIL)."""
        clicked = vals.get("links_click_datetime")
        if not clicked:
            return []
        clicked = min(fields.Datetime.to_datetime(clicked), fields.Datetime.now())
        events = []
        for trace in self:
            partner_id = False
            if trace.model == "res.partner":
                partner_id = trace.res_id
            elif trace.model and trace.res_id and trace.model in self.env:
                document = self.env[trace.model].browse(trace.res_id).exists()
                if document and "partner_id" in document._fields:
                    partner_id = document.sudo().partner_id.id
            if not partner_id and trace.email:
                # a mailing list contact (no partner on mailing.contact): the partner of that email
                partner_id = self.env["res.partner"].sudo()._hygiene_find_by_email(trace.email).id
            if partner_id:
                events.append((partner_id, clicked, "mailing_click"))
        return events

    def _hygiene_activity_from_website_form(self, records):
        """A lead or message sent through a website form by the person it names, logged in.

        Only the record of the form's own model counts (``/website/form/<model>``): emails or leads
        created as a side effect (a notification to the salesperson...) are not the person's. The
        contact form (``mail.mail``) sends the email as the company and keeps the visitor's address
        in ``reply_to``.
        """
        from odoo.http import request

        if not request or not request.httprequest.path.startswith("/website/form/"):
            return []
        if request.httprequest.path.rstrip("/").rsplit("/", 1)[-1] != self._name:
            return []
        # Only a visitor logged in as the person counts: an anonymous form may carry anyone's
        # email, and would keep that person out of the retention clock forever.
        visitor = request.env.user
        if not visitor or visitor._is_public():
            return []
        visitor_partner = visitor.partner_id.commercial_partner_id
        now = fields.Datetime.now()
        partners = self.env["res.partner"]
        email_field = _WEBSITE_FORM_EMAIL_FIELDS.get(self._name, "email_from")
        events = []
        for record in records:
            partner = record.partner_id if "partner_id" in record._fields else partners
            if not partner and email_field in record._fields:
                partner = partners._hygiene_find_by_email(record[email_field])
            if partner and partner.commercial_partner_id == visitor_partner:
                events.append((partner.id, now, "website_form"))
        return events
