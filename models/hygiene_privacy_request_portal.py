"""The portal half of the request register: the export file (built, served, expired) and the
planned erasure (run after its grace period by the existing retention engine)."""

import secrets
from datetime import timedelta

from odoo import api, fields, models, tools

from ..tools import privacy_export
from .hygiene_privacy_request import TODO_ERASURE_FAILED

EXPORT_DAYS = 7


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
            req.write(
                {
                    "export_attachment_id": attachment.id,
                    "export_token": secrets.token_urlsafe(32),
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
        expired.write({"export_state": "expired", "export_token": False})
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
                    summary=TODO_ERASURE_FAILED,
                    deadline=fields.Date.context_today(self),
                )
        return due.ids

    def _hygiene_note_repeated(self, request_type):
        """A further request from the form for the address of ``self`` (the latest request of
        that address), over the limit per address: no mail is sent, the request is noted here
        so that the officer sees the repetition (Art. 12(5)); what the visitor typed is not
        kept."""
        self.ensure_one()
        types = dict(self._fields["request_type"]._description_selection(self.env))
        self.sudo().message_post(
            body=self.env._(
                "The same address asked again from the request form (%(type)s) within the "
                "hour: no further confirmation mail was sent (limit per address).",
                type=types.get(request_type, request_type),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def _hygiene_export_download(self, attachment_token):
        """The export attachment this request holds for ``attachment_token``, or nothing."""
        self.ensure_one()
        req = self.sudo()
        attachment = req.export_attachment_id
        if (
            req.export_state != "ready"
            or not attachment
            or not req.export_expiry
            or req.export_expiry < fields.Datetime.now()
            or not req.export_token
            or not tools.consteq(req.export_token, attachment_token or "")
        ):
            return self.env["ir.attachment"]
        return attachment
