"""What the portal shows and does for the person logged in: the dossier of what is held and why,
the export, the consent changes, the erasure preview and request.

Every method takes ``partner``, which the controller always sets to the logged-in user's own
contact (``request.env.user.partner_id``): never an id from the request. Reading the person's
own records needs ``sudo()`` (portal users have no right on the addon's models); each sudo below
is scoped to that one partner (and the contacts under it), after that ownership decision.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from .hygiene_privacy_request import OPEN_STATES


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
        sources = self._hygiene_dossier_source_list(partner)
        retention = self._hygiene_dossier_retention(partner)
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
    def _hygiene_dossier_source_list(self, partner):
        """The origins of the person in words: source, channel, date, identifier, note."""
        labels = dict(
            self.env["hygiene.partner.origin"]
            ._fields["channel_type"]
            ._description_selection(self.env)
        )
        return [
            {
                "source": origin.source_id.name,
                "channel": labels.get(origin.channel_type, origin.channel_type),
                "collected_on": origin.collected_date.date().isoformat()
                if origin.collected_date
                else None,
                "identifier": origin.source_ref or None,
                "note": origin.note or None,
            }
            for origin in partner.hygiene_origin_ids.sorted("collected_date")
        ]

    @api.model
    def _hygiene_dossier_retention(self, partner):
        """The retention rule that applies to the person, with its dates (or None)."""
        info = self.env["hygiene.retention.policy"].sudo()._hygiene_classify([partner.id])
        if partner.id not in info:
            return None
        policy, start, due = info[partner.id]
        action = dict(policy._fields["end_action"]._description_selection(self.env))
        return {
            "rule": policy.name,
            "duration_months": policy.duration_months,
            "start": start.date().isoformat() if start else None,
            "end_action": action.get(policy.end_action),
            "due_date": due.isoformat() if due else None,
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
    def _hygiene_request_erasure(self, partner):
        """Plan the erasure of the person after the grace period (idempotent)."""
        existing = self._hygiene_open_erasure(partner)
        if existing:
            return existing
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
