"""The export half of the portal service (GDPR Art. 15 and 20): the person's tables, read
with SQL where an account can be large, and the export request (one per 24 hours)."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, html2plaintext

EXPORT_THROTTLE_HOURS = 24
# above this many messages + orders the export is built by the cron, not in the request
EXPORT_SYNC_LIMIT = 2000


class HygienePrivacyService(models.AbstractModel):
    _inherit = "hygiene.privacy.service"
    # ------------------------------------------------------------------ export (Art. 15, 20)

    @api.model
    def _hygiene_export_tables(self, partner):
        partner = partner.sudo().with_context(active_test=False)
        tree = self._hygiene_tree(partner)
        tables = {
            "partner": [self._hygiene_export_partner_row(partner)],
            **self._hygiene_export_children(tree - partner),
            "origins": self._hygiene_dossier_sources(partner),
            "consents": [
                {
                    "purpose": event.purpose_id.name,
                    "action": event.action,
                    "state": event.state,
                    "date": event.event_date,
                    "channel": event.channel,
                    "wording_version": event.wording_id.version,
                    "wording_sha256": event.wording_hash,
                    # the person's own proof: they may see what was recorded about them
                    "ip_address": event.ip_address,
                    "user_agent": event.user_agent,
                }
                for event in partner.hygiene_consent_ids.sorted("event_date")
            ],
            "requests": [
                {
                    "reference": req.name,
                    "type": req.request_type,
                    "channel": req.channel,
                    "received_on": req.received_date,
                    "deadline": req.due_date,
                    "state": req.state,
                }
                for req in partner.hygiene_privacy_request_ids.sorted("id")
            ],
        }
        tables.update(self._hygiene_export_apps(partner, tree))
        tables["messages"] = self._hygiene_export_messages(partner)
        return tables

    @api.model
    def _hygiene_export_partner_row(self, partner):
        return {
            "id": partner.id,
            "name": partner.name,
            "email": partner.email,
            "phone": partner.phone,
            "mobile": partner.mobile,
            "street": partner.street,
            "street2": partner.street2,
            "zip": partner.zip,
            "city": partner.city,
            "state": partner.state_id.name,
            "country": partner.country_id.code,
            "vat": partner.vat,
            "company_name": partner.company_name,
            "function": partner.function,
            "website": partner.website,
            "lang": partner.lang,
            "birthdate": partner.hygiene_birthdate,
            "created_on": partner.create_date,
            "last_activity_date": partner.hygiene_last_activity_date,
            "last_activity_source": partner.hygiene_last_activity_source,
        }

    @api.model
    def _hygiene_export_children(self, others):
        """Addresses and the contacts the person manages (the contacts under them)."""
        return {
            "addresses": [
                {
                    "id": child.id,
                    "type": child.type,
                    "name": child.name,
                    "street": child.street,
                    "street2": child.street2,
                    "zip": child.zip,
                    "city": child.city,
                    "country": child.country_id.code,
                    "phone": child.phone,
                }
                for child in others.filtered(lambda c: c.type != "contact")
            ],
            "contacts": [
                {
                    "id": child.id,
                    "name": child.name,
                    "email": child.email,
                    "phone": child.phone,
                    "function": child.function,
                }
                for child in others.filtered(lambda c: c.type == "contact")
            ],
        }

    @api.model
    def _hygiene_dossier_sources(self, partner):
        return [
            {
                "source": origin.source_id.name,
                "channel": origin.channel_type,
                "collected_on": origin.collected_date,
                "identifier": origin.source_ref,
                "note": origin.note,
            }
            for origin in partner.hygiene_origin_ids.sorted("collected_date")
        ]

    @api.model
    def _hygiene_export_apps(self, partner, tree):
        """Headers of the documents of the installed applications, read with SQL (an account
        with a thousand orders exports in a second)."""
        self.env.flush_all()
        tables = {}
        if "sale.order" in self.env:
            tables["orders"] = self._hygiene_export_orders(tree)
        if "account.move" in self.env:
            tables["invoices"] = self._hygiene_export_invoices(tree)
        if "crm.lead" in self.env:
            tables["leads"] = self._hygiene_export_leads(tree)
        if "mailing.subscription" in self.env and partner.email_normalized:
            tables["mailing_subscriptions"] = self._hygiene_export_subscriptions(partner)
        return tables

    @api.model
    def _hygiene_export_orders(self, tree):
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT o.name, o.date_order, o.state, o.amount_total, c.name
                  FROM sale_order o JOIN res_currency c ON c.id = o.currency_id
                 WHERE o.partner_id = ANY(%s) ORDER BY o.date_order, o.id
                """,
                tree.ids,
            )
        )
        return [
            dict(zip(("reference", "date", "state", "amount_total", "currency"), row, strict=True))
            for row in cr.fetchall()
        ]

    @api.model
    def _hygiene_export_invoices(self, tree):
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT m.name, m.invoice_date, m.move_type, m.state, m.amount_total, c.name
                  FROM account_move m JOIN res_currency c ON c.id = m.currency_id
                 WHERE m.partner_id = ANY(%s) AND m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
              ORDER BY m.invoice_date, m.id
                """,
                tree.ids,
            )
        )
        return [
            dict(
                zip(
                    ("reference", "date", "type", "state", "amount_total", "currency"),
                    row,
                    strict=True,
                )
            )
            for row in cr.fetchall()
        ]

    @api.model
    def _hygiene_export_leads(self, tree):
        leads = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", tree.ids)])
        )
        return [
            {
                "name": lead.name,
                "created_on": lead.create_date,
                "email": lead.email_from,
                "phone": lead.phone,
                "stage": lead.stage_id.name,
            }
            for lead in leads
        ]

    @api.model
    def _hygiene_export_subscriptions(self, partner):
        subscriptions = (
            self.env["mailing.subscription"]
            .sudo()
            .search([("contact_id.email_normalized", "=", partner.email_normalized)])
        )
        return [
            {
                "list": sub.list_id.name,
                "email": sub.contact_id.email,
                "opted_out": sub.opt_out,
                "subscribed_on": sub.create_date,
            }
            for sub in subscriptions
        ]

    @api.model
    def _hygiene_export_messages(self, partner):
        """Messages the person wrote: comments and emails authored by them, never internal
        notes; only the date, kind, subject and text (no recipients, no CC, no record name)."""
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.date, m.message_type, m.subject, m.body
                  FROM mail_message m
             LEFT JOIN mail_message_subtype s ON s.id = m.subtype_id
                 WHERE m.author_id = %s
                   AND m.message_type IN ('comment', 'email', 'email_outgoing')
                   AND NOT COALESCE(s.internal, FALSE)
              ORDER BY m.date, m.id
                """,
                partner.id,
            )
        )
        return [
            {
                "date": date,
                "type": message_type,
                "subject": subject,
                "body": html2plaintext(body) if body else None,
            }
            for date, message_type, subject, body in self.env.cr.fetchall()
        ]

    @api.model
    def _hygiene_export_size(self, partner):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("SELECT count(*) FROM mail_message WHERE author_id = %s", partner.id))
        size = cr.fetchone()[0]
        if "sale.order" in self.env:
            cr.execute(SQL("SELECT count(*) FROM sale_order WHERE partner_id = %s", partner.id))
            size += cr.fetchone()[0]
        return size

    @api.model
    def _hygiene_request_export(self, partner):
        """Create (or return, within 24 hours) the person's export request.

        Returns ``(request, created)``: one export per person per 24 hours; a second one links
        to the first (Art. 12(5): repeated requests are linked, not silently dropped).
        """
        Request = self.env["hygiene.privacy.request"].sudo()
        since = fields.Datetime.now() - timedelta(hours=EXPORT_THROTTLE_HOURS)
        recent = Request.search(
            [
                ("partner_id", "=", partner.id),
                ("request_type", "=", "portability"),
                ("channel", "=", "portal"),
                ("create_date", ">=", since),
            ],
            limit=1,
            order="id desc",
        )
        if recent:
            return recent, False
        req = Request.create(
            {
                "request_type": "portability",
                "channel": "portal",
                "partner_id": partner.id,
                "company_id": (partner.company_id or self.env.company).id,
                "identity_method": "session",
                "identity_verified_date": fields.Datetime.now(),
                "state": "in_progress",
                "export_state": "pending",
                "description": self.env._("Copy of my data requested from the customer portal."),
            }
        )
        if self._hygiene_export_size(partner) <= EXPORT_SYNC_LIMIT:
            req._hygiene_build_export()
        else:
            self.env.ref("partner_data_hygiene.ir_cron_hygiene_privacy_exports")._trigger()
        return req, True
