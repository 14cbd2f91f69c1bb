"""What the portal shows and does for the person logged in: the dossier of what is held and why,
the export, the consent changes, the erasure preview and request.

Every method takes ``partner``, which the controller always sets to the logged-in user's own
contact (``request.env.user.partner_id``): never an id from the request. Reading the person's
own records needs ``sudo()`` (portal users have no right on the addon's models); each sudo below
is scoped to that one partner (and the contacts under it), after that ownership decision.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL, html2plaintext

from .. import const
from ..tools import privacy_export
from .hygiene_privacy_request import OPEN_STATES

_logger = logging.getLogger(__name__)

EXPORT_DAYS = 7
EXPORT_THROTTLE_HOURS = 24
# above this many messages + orders the export is built by the cron, not in the request
EXPORT_SYNC_LIMIT = 2000


class HygienePrivacyService(models.AbstractModel):
    _name = "hygiene.privacy.service"
    _description = "Portal Privacy Self-Service"

    # ------------------------------------------------------------------ restriction (Art. 18)

    @api.model
    def _compute_restricted(self, partners):
        for partner in partners:
            partner.hygiene_restricted = any(
                req.request_type == "restriction" and req.state in ("new", "in_progress")
                for req in partner.sudo().hygiene_privacy_request_ids
            )

    # ------------------------------------------------------------------ dossier (Art. 15)

    @api.model
    def _hygiene_tree(self, partner):
        """The person and the contacts under them (addresses, managed contacts)."""
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", partner.id)])
        )

    @api.model
    def _hygiene_dossier(self, partner):
        """The Art. 15(1) information about ``partner``, as shown on /my/privacy and written in
        the export's ``about`` section."""
        partner = partner.sudo()
        company = partner.company_id or self.env.company
        purposes = self.env["hygiene.purpose"].sudo().search([("active", "=", True)])
        states = {state.purpose_id: state for state in partner.hygiene_consent_state_ids}
        basis = dict(
            self.env["hygiene.purpose"]._fields["legal_basis"]._description_selection(self.env)
        )
        source_labels = dict(
            self.env["hygiene.partner.origin"]
            ._fields["channel_type"]
            ._description_selection(self.env)
        )
        sources = []
        for origin in partner.hygiene_origin_ids.sorted("collected_date"):
            sources.append(
                {
                    "source": origin.source_id.name,
                    "channel": source_labels.get(origin.channel_type, origin.channel_type),
                    "collected_on": origin.collected_date.date().isoformat()
                    if origin.collected_date
                    else None,
                    "identifier": origin.source_ref or None,
                    "note": origin.note or None,
                }
            )
        info = self.env["hygiene.retention.policy"].sudo()._hygiene_classify([partner.id])
        retention = None
        if partner.id in info:
            policy, start, due = info[partner.id]
            action = dict(policy._fields["end_action"]._description_selection(self.env))
            retention = {
                "rule": policy.name,
                "duration_months": policy.duration_months,
                "start": start.date().isoformat() if start else None,
                "end_action": action.get(policy.end_action),
                "due_date": due.isoformat() if due else None,
            }
        holds = self._hygiene_holds(partner)
        categories = self._hygiene_categories(partner)
        return {
            "controller": {
                "name": company.name,
                "email": company.email or None,
                "address": ", ".join(filter(None, [company.street, company.zip, company.city]))
                or None,
            },
            "categories": categories,
            "purposes": [
                {
                    "purpose": purpose.name,
                    "code": purpose.code,
                    "legal_basis": basis.get(purpose.legal_basis),
                    "description": purpose.description or None,
                    "state": states[purpose].state if purpose in states else None,
                }
                for purpose in purposes
            ],
            "recipients": self._hygiene_recipients(company),
            "retention": {
                "rule": retention,
                "legal_holds": holds,
                "accounting": self.env._(
                    "Invoices and accounting documents: 10 years (Code de commerce L123-22)."
                ),
            },
            "rights": [
                self.env._("Access and copy of your data (Art. 15)"),
                self.env._("Rectification (Art. 16)"),
                self.env._("Erasure (Art. 17)"),
                self.env._("Restriction of processing (Art. 18)"),
                self.env._("Portability (Art. 20)"),
                self.env._("Objection, at any time to direct marketing (Art. 21)"),
                self.env._("Withdrawal of a consent at any time (Art. 7(3))"),
            ],
            "complaint": self.env["hygiene.privacy.request"]._default_complaint_text(),
            "sources": sources,
            "automated_decisions": self.env._(
                "No decision producing legal effects is based solely on automated processing."
            ),
        }

    @api.model
    def _hygiene_categories(self, partner):
        categories = [self.env._("Identity and contact details (name, email, phones, address)")]
        if partner.hygiene_consent_ids:
            categories.append(self.env._("Consents and their proof (date, IP address, browser)"))
        if partner.hygiene_origin_ids:
            categories.append(self.env._("Origin of the data (source, collection date)"))
        categories.append(self.env._("Last contact coming from you (date and kind)"))
        if "sale.order" in self.env:
            categories.append(self.env._("Orders"))
        if "account.move" in self.env:
            categories.append(self.env._("Invoices"))
        categories.append(self.env._("Messages you wrote to us"))
        return categories

    @api.model
    def _hygiene_recipients(self, company):
        """The recipients, from the company's setting (a privacy officer writes it), else a
        default sentence."""
        value = const.get_param(self.env, const.PRIVACY_RECIPIENTS)
        if value:
            return [line.strip() for line in value.splitlines() if line.strip()]
        return [
            self.env._(
                "%(company)s staff in charge of sales, support and invoicing", company=company.name
            ),
            self.env._("Our hosting and emailing processors, bound by a processing agreement"),
        ]

    @api.model
    def _hygiene_holds(self, partner):
        """[{kind, until}] of the legal holds on the person's data (through the engine)."""
        tree = self._hygiene_tree(partner)
        dates = self.env["hygiene.retention.engine"].sudo()._hygiene_hold_dates(tree.ids)
        if not dates:
            return []
        until = max(dates.values())
        return [
            {
                "data": self.env._("Invoices: name, address and VAT number printed on them"),
                "ground": self.env._(
                    "Legal obligation: accounting documents kept 10 years (Code de commerce "
                    "L123-22)"
                ),
                "until": until.isoformat(),
            }
        ]

    # ------------------------------------------------------------------ export (Art. 15, 20)

    @api.model
    def _hygiene_export_tables(self, partner):
        partner = partner.sudo().with_context(active_test=False)
        tree = self._hygiene_tree(partner)
        others = tree - partner
        tables = {
            "partner": [
                {
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
            ],
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
        tables = {}
        cr = self.env.cr
        self.env.flush_all()
        if "sale.order" in self.env:
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
            tables["orders"] = [
                dict(
                    zip(
                        ("reference", "date", "state", "amount_total", "currency"), row, strict=True
                    )
                )
                for row in cr.fetchall()
            ]
        if "account.move" in self.env:
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
            tables["invoices"] = [
                dict(
                    zip(
                        ("reference", "date", "type", "state", "amount_total", "currency"),
                        row,
                        strict=True,
                    )
                )
                for row in cr.fetchall()
            ]
        if "crm.lead" in self.env:
            leads = (
                self.env["crm.lead"]
                .sudo()
                .with_context(active_test=False)
                .search([("partner_id", "in", tree.ids)])
            )
            tables["leads"] = [
                {
                    "name": lead.name,
                    "created_on": lead.create_date,
                    "email": lead.email_from,
                    "phone": lead.phone,
                    "stage": lead.stage_id.name,
                }
                for lead in leads
            ]
        # keyed on an address the person proved they hold, the login of their account (the
        # invitation reached it): /my/account changes the contact's email without any check
        logins = {
            tools.email_normalize(user.login)
            for user in partner.sudo().with_context(active_test=False).user_ids
        }
        if (
            "mailing.subscription" in self.env
            and partner.email_normalized
            and partner.email_normalized in logins
        ):
            subscriptions = (
                self.env["mailing.subscription"]
                .sudo()
                .search([("contact_id.email_normalized", "=", partner.email_normalized)])
            )
            tables["mailing_subscriptions"] = [
                {
                    "list": sub.list_id.name,
                    "email": sub.contact_id.email,
                    "opted_out": sub.opt_out,
                    "subscribed_on": sub.create_date,
                }
                for sub in subscriptions
            ]
        return tables

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

    # ------------------------------------------------------------------ consents (Art. 7)

    @api.model
    def _hygiene_portal_consent(self, partner, purpose, action, proof):
        """Record a grant or withdrawal made by the person on the portal, with the proof of the
        request (``proof``: ip_address, user_agent, page_url). A withdrawal of a purpose that
        blocks emails blacklists the address at once (the consent ledger does it)."""
        if action not in ("grant", "withdraw"):
            raise UserError(self.env._("Unknown consent action."))
        purpose = purpose.sudo()
        wording = purpose.current_wording_id
        event = (
            self.env["hygiene.consent"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "purpose_id": purpose.id,
                    "action": action,
                    "channel": "portal",
                    "wording_id": wording.id or False,
                    "ip_address": (proof.get("ip_address") or "")[:64] or False,
                    "user_agent": (proof.get("user_agent") or "")[:512] or False,
                    "page_url": proof.get("page_url") or False,
                }
            )
        )
        if action == "withdraw":
            self.env["hygiene.privacy.request"].sudo().create(
                {
                    "request_type": "objection",
                    "channel": "portal",
                    "partner_id": partner.id,
                    "company_id": (partner.company_id or self.env.company).id,
                    "identity_method": "session",
                    "identity_verified_date": fields.Datetime.now(),
                    "state": "done",
                    "answered_date": fields.Date.context_today(self),
                    "description": self.env._(
                        "Consent to %(purpose)s withdrawn from the customer portal.",
                        purpose=purpose.name,
                    ),
                    "response": self.env._("Recorded at once; mass mailings stop immediately."),
                }
            ).activity_unlink(["mail.mail_activity_data_todo"])
        partner.sudo()._hygiene_register_activity("consent")
        return event

    # ------------------------------------------------------------------ erasure (Art. 17)

    @api.model
    def _hygiene_grace_days(self):
        return const.get_param(self.env, const.ERASURE_GRACE_DAYS)

    @api.model
    def _hygiene_erasure_preview(self, partner):
        """What an erasure would do to the person's data: ``{"deleted": [...], "anonymised":
        [...], "kept": [{data, ground, until}]}``, in words the person understands."""
        partner = partner.sudo()
        deleted = [
            self.env._("Your messages, their attachments and the emails we sent you"),
            self.env._("Your customer account (login and password)"),
            self.env._("The proof of your consents (IP address, browser)"),
            self.env._("The origin of your data (source files and rows)"),
        ]
        if "crm.lead" in self.env:
            deleted.append(self.env._("Our notes about you in sales opportunities"))
        anonymised = [
            self.env._("Your contact record: name, email, phones, address, birth date are emptied"),
            self.env._("Your addresses and the contacts you manage"),
            self.env._("The history of your consents (the events stay, without your data)"),
        ]
        if "sale.order" in self.env:
            anonymised.append(
                self.env._("Your orders: the amounts stay for our statistics, without your name")
            )
        kept = list(self._hygiene_holds(partner))
        kept.append(
            {
                "data": self.env._("A keyed fingerprint of your email and phone numbers"),
                "ground": self.env._(
                    "Suppression list, so that you are never contacted again from an old file "
                    "(CNIL liste repoussoir); the address itself is not kept"
                ),
                "until": None,
            }
        )
        return {"deleted": deleted, "anonymised": anonymised, "kept": kept}

    @api.model
    def _hygiene_open_erasure(self, partner):
        return (
            self.env["hygiene.privacy.request"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("request_type", "=", "erasure"),
                    ("state", "in", list(OPEN_STATES)),
                    ("erasure_scheduled_date", "!=", False),
                ],
                limit=1,
            )
        )

    @api.model
    def _hygiene_erasure_needs_officer(self, partner):
        """A company, or a tree holding someone else's account: erasing it would erase people
        who asked nothing (its employees, other portal users); the officer decides."""
        partner = partner.sudo()
        others = (self._hygiene_tree(partner) - partner).with_context(active_test=False)
        return bool(partner.is_company or others.user_ids)

    @api.model
    def _hygiene_request_erasure(self, partner):
        """Plan the erasure of the person after the grace period (idempotent)."""
        existing = self._hygiene_open_erasure(partner)
        if existing:
            return existing
        if self._hygiene_erasure_needs_officer(partner):
            Request = self.env["hygiene.privacy.request"].sudo()
            pending = Request.search(
                [
                    ("partner_id", "=", partner.id),
                    ("request_type", "=", "erasure"),
                    ("state", "in", list(OPEN_STATES)),
                ],
                limit=1,
            )
            return pending or Request.create(
                {
                    "request_type": "erasure",
                    "channel": "portal",
                    "partner_id": partner.id,
                    "company_id": (partner.company_id or self.env.company).id,
                    "identity_method": "password",
                    "identity_verified_date": fields.Datetime.now(),
                    "state": "new",
                    "description": self.env._(
                        "Erasure requested from the customer portal for a company or contacts "
                        "with their own accounts: the privacy officer decides."
                    ),
                }
            )
        days = self._hygiene_grace_days()
        preview = self._hygiene_erasure_preview(partner)
        req = (
            self.env["hygiene.privacy.request"]
            .sudo()
            .create(
                {
                    "request_type": "erasure",
                    "channel": "portal",
                    "partner_id": partner.id,
                    "company_id": (partner.company_id or self.env.company).id,
                    "identity_method": "password",
                    "identity_verified_date": fields.Datetime.now(),
                    "state": "in_progress",
                    "erasure_scheduled_date": fields.Datetime.now() + timedelta(days=days),
                    "description": self.env._("Erasure requested from the customer portal."),
                }
            )
        )
        req._hygiene_send_erasure_mail(partner.email, preview, planned=True)
        return req

    @api.model
    def _hygiene_cancel_erasure(self, partner):
        req = self._hygiene_open_erasure(partner)
        if req:
            req.write({"state": "cancelled", "answered_date": fields.Date.context_today(self)})
            req.activity_unlink(["mail.mail_activity_data_todo"])
            req.message_post(body=self.env._("Cancelled by the person from the portal."))
        return req


class HygienePrivacyRequestPortal(models.Model):
    """The portal half of the request: the export file and the planned erasure."""

    _inherit = "hygiene.privacy.request"

    def _hygiene_build_export(self):
        Service = self.env["hygiene.privacy.service"]
        for req in self.sudo():
            partner = req.partner_id
            if not partner:
                continue
            document = privacy_export.build_document(
                Service._hygiene_dossier(partner),
                Service._hygiene_export_tables(partner),
                fields.Datetime.now(),
            )
            data = privacy_export.build_zip(document)
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"personal-data-{fields.Date.context_today(self)}.zip",
                        "raw": data,
                        "mimetype": "application/zip",
                        "res_model": req._name,
                        "res_id": req.id,
                        "public": False,
                    }
                )
            )
            # no access_token on the attachment: /web/content would serve the file to anyone
            # holding it, without a session and after the expiry (see _hygiene_export_token)
            req.write(
                {
                    "export_attachment_id": attachment.id,
                    "export_state": "ready",
                    "export_expiry": fields.Datetime.now() + timedelta(days=EXPORT_DAYS),
                    "state": "done",
                    "answered_date": fields.Date.context_today(self),
                    "response": self.env._("Export file made available on the customer portal."),
                }
            )
            req.activity_unlink(["mail.mail_activity_data_todo"])

    @api.model
    def _cron_hygiene_privacy_exports(self, limit=20):
        """Build the pending exports (large accounts), then delete the expired files."""
        pending = self.search([("export_state", "=", "pending")], limit=limit, order="id")
        for req in pending:
            req._hygiene_build_export()
            if not tools.config["test_enable"]:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        expired = self.search(
            [("export_state", "=", "ready"), ("export_expiry", "<", fields.Datetime.now())]
        )
        expired.export_attachment_id.unlink()
        expired.write({"export_state": "expired"})
        return {"built": pending.ids, "expired": expired.ids}

    def _hygiene_send_erasure_mail(self, email, preview, planned):
        """The receipt: the same list as the preview, sent to the address given (captured
        before the erasure empties it); never linked to the contact."""
        self.ensure_one()
        if not email:
            return
        body = self.env["ir.qweb"]._render(
            "partner_data_hygiene.privacy_erasure_mail",
            {"req": self, "preview": preview, "planned": planned},
        )
        self.env["mail.mail"].sudo().create(
            {
                "subject": self.env._("Your erasure request %(ref)s", ref=self.name),
                "email_to": email,
                "body_html": body,
                "auto_delete": True,
            }
        ).send()

    @api.model
    def _cron_hygiene_erasures(self, limit=50):
        """Run the erasures whose grace period is over, with the existing engine."""
        due = self.search(
            [
                ("request_type", "=", "erasure"),
                ("state", "=", "in_progress"),
                ("erasure_scheduled_date", "<=", fields.Datetime.now()),
            ],
            limit=limit,
            order="erasure_scheduled_date",
        )
        for req in due:
            partner = req.partner_id
            if not partner:
                continue
            email = partner.email
            preview = self.env["hygiene.privacy.service"]._hygiene_erasure_preview(partner)
            result = partner.sudo()._hygiene_retention_execute("anonymize", reason="erasure")
            outcome = (
                "done"
                if partner.id in result["done"]
                else "refused"
                if partner.id in result["refused"]
                else "failed"
            )
            req.write(
                {
                    "erasure_result": outcome,
                    "state": "done" if outcome == "done" else "in_progress",
                    "answered_date": fields.Date.context_today(self),
                }
            )
            if outcome == "done":
                req.activity_unlink(["mail.mail_activity_data_todo"])
                req._hygiene_send_erasure_mail(email, preview, planned=False)
            else:
                req._schedule_officer_activity(
                    summary=self.env._("The erasure could not run: decide"),
                    deadline=fields.Date.context_today(self),
                )
        return due.ids

    def _hygiene_export_token(self):
        """The download link's token: keyed on the request and its file, checked only by the
        portal route (after the login and ownership checks), never by /web/content."""
        self.ensure_one()
        attachment = self.sudo().export_attachment_id
        if not attachment:
            return ""
        return tools.hmac(self.env(su=True), "hygiene-privacy-export", (self.id, attachment.id))

    def _hygiene_export_download(self, attachment_token):
        """The export attachment this request holds for ``attachment_token``, or nothing."""
        self.ensure_one()
        attachment = self.sudo().export_attachment_id
        if (
            self.export_state != "ready"
            or not attachment
            or not self.export_expiry
            or self.export_expiry < fields.Datetime.now()
            or not tools.consteq(self._hygiene_export_token(), attachment_token or "")
        ):
            return self.env["ir.attachment"]
        return attachment
