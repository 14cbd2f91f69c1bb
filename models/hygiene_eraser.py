"""The erasers: what the retention engine erases around a person, one hook per application.

The engine (``res.partner._hygiene_anonymize_nodes``) anonymises the partner rows themselves; what
holds the person's data *through another record* — their leads, orders, invoices and mailing
traces, and under those the chatter, mails, activities, attachments, tracking values and link
clicks — is erased here, by hooks dispatched in sequence. An application (or a bridge module)
adds its own by extending ``_hygiene_erasers`` and defining the method, without touching the
engine::

    class HygieneEraser(models.AbstractModel):
        _inherit = "hygiene.eraser"

        def _hygiene_erasers(self):
            return super()._hygiene_erasers() + [(45, "helpdesk.ticket", "_hygiene_erase_helpdesk")]

        def _hygiene_erase_helpdesk(self, erasure):
            ids = ...  # the tickets of erasure.nodes
            erasure.counts["helpdesk.ticket"] += self._hygiene_partner()._hygiene_blank(...)
            erasure.add_documents("helpdesk.ticket", ids)  # their chatter, activities, files go

Application hooks run first (sequence < 100) and declare the records that are about the persons
(``erasure.add_documents``) or kept by a legal hold (``erasure.add_held``); the layers under every
application (sequence >= 100: messages, mails, activities, attachments, notifications...) then
erase what hangs off those records. Everything is set-based SQL, per batch of partners.
"""

from collections import Counter, defaultdict

from odoo import api, models
from odoo.tools import SQL, ormcache

from ..tools import anonymize

# Tracked field values that identify a person by themselves (emails, phones) are looked for in
# the tracking of any record; a name is not (a namesake's tracking would go with it): a tracked
# link to the partner is found by its id instead.
EMAIL_IN_ANGLES = r"<([^<>]+)>[[:space:]]*$"


class Erasure:
    """What one batch erases: the persons, what identifies them, and the records found so far.

    - ``nodes``: the partner ids (the persons and their child contacts), ``holds`` {id: last day}
      those under a legal hold, ``free`` the others;
    - ``emails`` (lower case), ``phones`` (E.164), ``values`` (every identifying string, names
      included) read before anything was emptied;
    - ``documents`` {model: ids}: records about the persons (their own partner rows, their leads,
      orders, invoices, mailing contacts...): their chatter, mails, activities and attachments go;
    - ``held`` {model: ids}: documents a legal hold keeps, with their own files (the PDF and the
      electronic invoice of a posted invoice), see README "Legal hold";
    - ``messages``: the mail.message ids erased, ``authored`` those the persons wrote (filled by
      the message layer);
    - ``counts`` {model: rows changed}, journaled (never a value).
    """

    def __init__(self, node_ids, holds, people):
        self.nodes = sorted(node_ids)
        self.holds = dict(holds)
        self.free = [pid for pid in self.nodes if pid not in self.holds]
        self.people = people
        self.emails = sorted({e for p in people.values() for e in p["emails"]})
        self.phones = sorted({e for p in people.values() for e in p["e164"]})
        self.values = anonymize.identifiers(
            [v for p in people.values() for v in p["names"] + p["emails"] + p["phones"]]
        )
        # Values unique to a person (no names): safe to look for in any record.
        self.unique_values = sorted(
            {v.lower() for v in anonymize.identifiers(self.emails + self.phones)}
            | {v.lower() for p in people.values() for v in p["phones"] if v}
        )
        self.documents = defaultdict(set)
        self.documents["res.partner"] |= set(self.nodes)
        self.held = defaultdict(set)
        self.messages = []
        self.authored = []
        self.counts = Counter()

    def add_documents(self, model, ids):
        self.documents[model] |= set(ids)

    def add_held(self, model, ids):
        self.held[model] |= set(ids)

    def refs(self, model_column="model", id_column="res_id", held=False):
        """SQL: the rows pointing (model, res_id) to one of the documents (or held documents)."""
        records = self.held if held else self.documents
        conditions = [
            SQL(
                "(%s = %s AND %s = ANY(%s))",
                SQL.identifier(model_column),
                model,
                SQL.identifier(id_column),
                sorted(ids),
            )
            for model, ids in sorted(records.items())
            if ids
        ]
        return SQL("(%s)", SQL(" OR ").join(conditions)) if conditions else SQL("FALSE")


class HygieneEraser(models.AbstractModel):
    _name = "hygiene.eraser"
    _description = "Data Hygiene Erasers"

    @api.model
    def _hygiene_erasers(self):
        """The erasure hooks, as (sequence, model, method name); a hook runs when its model is
        installed. Meant to be extended (see the module docstring): applications below 100, the
        layers under them (messages, activities, attachments...) from 100."""
        return [
            (10, "crm.lead", "_hygiene_erase_crm"),
            (20, "sale.order", "_hygiene_erase_sale"),
            (30, "account.move", "_hygiene_erase_account"),
            (35, "payment.transaction", "_hygiene_erase_payment"),
            (40, "mailing.trace", "_hygiene_erase_mass_mailing"),
            (45, "link.tracker.click", "_hygiene_erase_link_tracker"),
            (50, "website.visitor", "_hygiene_erase_website"),
            (55, "sms.sms", "_hygiene_erase_sms"),
            (60, "calendar.attendee", "_hygiene_erase_calendar"),
            (70, "hygiene.consent", "_hygiene_erase_hygiene"),
            (75, "hygiene.import.line", "_hygiene_erase_import_lines"),
            (100, "mail.message", "_hygiene_erase_messages"),
            (110, "mail.activity", "_hygiene_erase_activities"),
            (120, "ir.attachment", "_hygiene_erase_attachments"),
            (130, "mail.blacklist", "_hygiene_erase_blacklists"),
            (140, "bus.bus", "_hygiene_erase_bus"),
            (150, "res.device.log", "_hygiene_erase_devices"),
            (160, "ir.model", "_hygiene_erase_wizards"),
        ]

    @api.model
    def _hygiene_erase(self, erasure):
        """Run every installed hook, in sequence, on ``erasure`` (see :class:`Erasure`)."""
        for __, model, method in sorted(self._hygiene_erasers()):
            if model in self.env:
                getattr(self, method)(erasure)
        return erasure.counts

    def _hygiene_partner(self):
        """The engine's SQL helpers (``_hygiene_blank``, ``_hygiene_ids``, ...)."""
        return self.env["res.partner"]

    def _hygiene_record_names(self, model, ids):
        """Messages keep a copy of their record's name: emptied with the record."""
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET record_name = NULL WHERE model = %s AND res_id = ANY(%s)",
                model,
                sorted(ids),
            )
        )

    # ------------------------------------------------------------------ applications

    def _hygiene_erase_crm(self, erasure):
        """Leads linked to the persons, or with their email or phone: emptied, their name
        replaced; their chatter, activities and files go (documents)."""
        Partner = self._hygiene_partner()
        lead_ids = Partner._hygiene_ids(
            SQL(
                """
                SELECT id FROM crm_lead
                 WHERE partner_id = ANY(%s) OR email_normalized = ANY(%s)
                    OR phone_sanitized = ANY(%s)
                """,
                erasure.nodes,
                erasure.emails,
                erasure.phones,
            )
        )
        if lead_ids:
            erasure.counts["crm.lead"] += Partner._hygiene_blank(
                "crm.lead", SQL("id = ANY(%s)", lead_ids)
            )
            self._hygiene_record_names("crm.lead", lead_ids)
            erasure.add_documents("crm.lead", lead_ids)

    def _hygiene_erase_sale(self, erasure):
        """Orders of the persons stay (sales figures, and the invoices they lead to), without
        what identifies the customer: signer, customer reference, origin (a lead's name), the
        form fields of a quote; their chatter, the quotations sent (PDF), the signature image
        and the activities go (documents)."""
        Partner = self._hygiene_partner()
        Order = self.env["sale.order"]
        links = [
            name
            for name in ("partner_id", "partner_invoice_id", "partner_shipping_id")
            if name in Order._fields
        ]
        order_ids = Partner._hygiene_ids(
            SQL(
                "SELECT id FROM sale_order WHERE %s",
                SQL(" OR ").join(
                    SQL("%s = ANY(%s)", SQL.identifier(name), erasure.nodes) for name in links
                ),
            )
        )
        if not order_ids:
            return
        columns = ("signed_by", "client_order_ref", "origin", "customizable_pdf_form_fields")
        erasure.counts["sale.order"] += Partner._hygiene_blank(
            "sale.order", SQL("id = ANY(%s)", order_ids), only=columns
        )
        erasure.add_documents("sale.order", order_ids)

    def _hygiene_erase_account(self, erasure):
        """Journal entries of the persons. A posted one of a partner under the accounting hold is
        kept (held): the invoice row, its PDF and its electronic invoice (Factur-X / UBL) stay as
        issued until the hold ends (README, "Legal hold"). The others lose the printed name, the
        customer's reference and the journal item labels copying it; none keeps the address an
        inbound bill came from. The chatter of every one goes (documents)."""
        cr = self.env.cr
        Partner = self._hygiene_partner()
        cr.execute(
            SQL(
                """
                SELECT id, state = 'posted'
                       AND (partner_id = ANY(%(held)s) OR commercial_partner_id = ANY(%(held)s))
                  FROM account_move
                 WHERE partner_id = ANY(%(nodes)s) OR commercial_partner_id = ANY(%(nodes)s)
                """,
                nodes=erasure.nodes,
                held=list(erasure.holds),
            )
        )
        rows = cr.fetchall()
        if not rows:
            return
        move_ids = [move_id for move_id, __ in rows]
        held = [move_id for move_id, is_held in rows if is_held]
        free = [move_id for move_id, is_held in rows if not is_held]
        erasure.add_documents("account.move", move_ids)
        erasure.add_held("account.move", held)
        if free:
            # Past their retention period (or never posted): the printed name goes too, and the
            # customer's reference with the journal item labels that copy it.
            cr.execute(
                SQL(
                    """
                    UPDATE account_move_line l SET name = NULL
                      FROM account_move m
                     WHERE l.move_id = m.id AND m.id = ANY(%s) AND m.ref <> ''
                       AND position(m.ref IN l.name) > 0
                    """,
                    free,
                )
            )
            cr.execute(
                SQL(
                    "UPDATE account_move_line SET ref = NULL WHERE move_id = ANY(%s) AND ref <> ''",
                    free,
                )
            )
            cr.execute(
                SQL(
                    """
                    UPDATE account_move
                       SET invoice_partner_display_name = CASE
                               WHEN invoice_partner_display_name IS NULL THEN NULL ELSE %s END,
                           ref = NULL
                     WHERE id = ANY(%s)
                       AND (invoice_partner_display_name IS NOT NULL OR ref IS NOT NULL)
                    """,
                    anonymize.PARTNER_NAME,
                    free,
                )
            )
            erasure.counts["account.move"] += cr.rowcount
        # The address a bill came from is not a mention of the invoice: never kept.
        erasure.counts["account.move"] += Partner._hygiene_blank(
            "account.move",
            SQL("id = ANY(%s) AND invoice_source_email IS NOT NULL", move_ids),
            only=("invoice_source_email",),
        )

    def _hygiene_erase_payment(self, erasure):
        """Payment transactions copy the partner's name, address, email and phone: emptied,
        except under a legal hold (they justify a posted payment)."""
        if erasure.free:
            erasure.counts["payment.transaction"] += self._hygiene_partner()._hygiene_blank(
                "payment.transaction", SQL("partner_id = ANY(%s)", erasure.free), prefix="partner_"
            )

    def _hygiene_erase_mass_mailing(self, erasure):
        """Mailing contacts with their email (emptied, chatter gone) and the traces of every
        mailing sent to the persons, their leads or contacts (email emptied; the statistics
        stay). The traces are handed to the link tracker hook."""
        Partner = self._hygiene_partner()
        contact_ids = Partner._hygiene_ids(
            SQL("SELECT id FROM mailing_contact WHERE email_normalized = ANY(%s)", erasure.emails)
        )
        if contact_ids:
            erasure.counts["mailing.contact"] += Partner._hygiene_blank(
                "mailing.contact", SQL("id = ANY(%s)", contact_ids)
            )
            self._hygiene_record_names("mailing.contact", contact_ids)
            erasure.add_documents("mailing.contact", contact_ids)
        where = SQL("lower(email) = ANY(%s) OR %s", erasure.emails, erasure.refs())
        trace_ids = Partner._hygiene_ids(SQL("SELECT id FROM mailing_trace WHERE %s", where))
        if trace_ids:
            erasure.counts["mailing.trace"] += Partner._hygiene_blank(
                "mailing.trace", SQL("id = ANY(%s)", trace_ids)
            )
            erasure.add_documents("mailing.trace", trace_ids)

    def _hygiene_erase_link_tracker(self, erasure):
        """Clicks of the persons on tracked links of their mailings: the IP address and the
        country go, the click stays counted (anonymous statistics of the link)."""
        Click = self.env["link.tracker.click"]
        trace_ids = sorted(erasure.documents.get("mailing.trace", ()))
        if "mailing_trace_id" not in Click._fields or not trace_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE link_tracker_click SET ip = NULL, country_id = NULL
                 WHERE mailing_trace_id = ANY(%s) AND (ip IS NOT NULL OR country_id IS NOT NULL)
                """,
                trace_ids,
            )
        )
        erasure.counts["link.tracker.click"] += self.env.cr.rowcount

    def _hygiene_erase_website(self, erasure):
        """Website visitors of the persons: deleted, with their page views."""
        erasure.counts["website.visitor"] += self._hygiene_partner()._hygiene_unlink_where(
            "website.visitor", SQL("partner_id = ANY(%s)", erasure.nodes)
        )

    def _hygiene_erase_sms(self, erasure):
        erasure.counts["sms.sms"] += self._hygiene_partner()._hygiene_blank(
            "sms.sms",
            SQL("partner_id = ANY(%s) OR number = ANY(%s)", erasure.nodes, erasure.phones),
        )

    def _hygiene_erase_calendar(self, erasure):
        erasure.counts["calendar.attendee"] += self._hygiene_partner()._hygiene_blank(
            "calendar.attendee", SQL("partner_id = ANY(%s)", erasure.nodes)
        )

    def _hygiene_erase_hygiene(self, erasure):
        """This addon's own records: the proof of the consents (the events stay), the import
        provenance, the before-values of the merges."""
        Partner = self._hygiene_partner()
        counts = erasure.counts
        counts["hygiene.consent"] += self.env["hygiene.consent"]._hygiene_erase_proof(erasure.nodes)
        counts["hygiene.partner.origin"] += Partner._hygiene_blank(
            "hygiene.partner.origin", SQL("partner_id = ANY(%s)", erasure.nodes)
        )
        counts["hygiene.merge.journal"] += Partner._hygiene_blank_merge_journals(erasure.nodes)

    def _hygiene_erase_import_lines(self, erasure):
        """Staging lines of the files the persons came from, linked or by their matching keys."""
        from ..tools import normalize  # noqa: PLC0415 - only this hook needs it

        Line = self.env["hygiene.import.line"]
        email_keys = sorted({key for key in map(normalize.email_key, erasure.emails) if key})
        links = [
            name
            for name, field in Line._fields.items()
            if field.type == "many2one" and field.comodel_name == "res.partner" and field.store
        ]
        conditions = [SQL("%s = ANY(%s)", SQL.identifier(name), erasure.nodes) for name in links]
        # Lines of the same person not (or not yet) linked: by their matching keys.
        keys = {"email_key": email_keys, "phone_key": erasure.phones, "mobile_key": erasure.phones}
        conditions += [
            SQL("%s = ANY(%s)", SQL.identifier(name), values)
            for name, values in keys.items()
            if name in Line._fields and Line._fields[name].store and values
        ]
        if conditions:
            erasure.counts["hygiene.import.line"] += self._hygiene_partner()._hygiene_blank(
                "hygiene.import.line", SQL(" OR ").join(conditions)
            )

    # ------------------------------------------------------------------ layers under the apps

    def _hygiene_erase_messages(self, erasure):
        """Messages the persons wrote (also from their address before it was linked to them),
        messages on the documents, messages and mails addressed to them: emptied, with the mails
        (body, headers, recipients; queued ones cancelled), the tracking values that hold their
        values (their messages', and any tracked link to them or value equal to their email or
        phone), the link previews of their messages and their notifications."""
        cr = self.env.cr
        Partner = self._hygiene_partner()
        nodes, documents = erasure.nodes, erasure.refs()
        patterns = [anonymize.like_pattern(e) for e in erasure.emails]
        mail_ids = Partner._hygiene_ids(
            SQL(
                """
                SELECT id FROM mail_mail WHERE mail_message_id IN (
                    SELECT id FROM mail_message WHERE author_id = ANY(%(nodes)s) OR %(documents)s)
                UNION SELECT mail_mail_id FROM mail_mail_res_partner_rel
                       WHERE res_partner_id = ANY(%(nodes)s)
                UNION SELECT id FROM mail_mail
                       WHERE email_to ILIKE ANY(%(patterns)s::text[])
                          OR email_cc ILIKE ANY(%(patterns)s::text[])
                """,
                nodes=nodes,
                documents=documents,
                patterns=patterns,
            )
        )
        # Written by them: as author, or from their address ("Name <address>" included) before
        # the message was linked to them, e.g. an inbound email from an unknown sender.
        # On the documents too: those are emptied, but their files are only the documents' own
        # (a mailing's attachment, linked to every message it sent, is not the person's).
        written = SQL(
            """author_id = ANY(%(nodes)s)
               OR lower(trim(COALESCE(substring(email_from FROM %(angles)s), email_from)))
                  = ANY(%(emails)s)""",
            nodes=nodes,
            angles=EMAIL_IN_ANGLES,
            emails=erasure.emails,
        )
        cr.execute(
            SQL(
                "SELECT id, COALESCE(%s, FALSE) FROM mail_message WHERE %s OR %s",
                written,
                written,
                documents,
            )
        )
        rows = cr.fetchall()
        authored_ids = sorted(row[0] for row in rows)
        erasure.authored = sorted(row[0] for row in rows if row[1])
        message_ids = Partner._hygiene_ids(
            SQL(
                """
                SELECT id FROM mail_message WHERE id = ANY(%(authored)s)
                UNION SELECT mail_message_id FROM mail_mail WHERE id = ANY(%(mails)s)
                UNION SELECT mail_message_id FROM mail_message_res_partner_rel
                       WHERE res_partner_id = ANY(%(nodes)s)
                """,
                authored=authored_ids,
                nodes=nodes,
                mails=mail_ids,
            )
        )
        erasure.messages = message_ids
        if mail_ids:
            erasure.counts["mail.mail"] += Partner._hygiene_blank(
                "mail.mail", SQL("id = ANY(%s)", mail_ids)
            )
            cr.execute(
                SQL(
                    """UPDATE mail_mail SET state = 'cancel'
                        WHERE id = ANY(%s) AND state IN ('outgoing', 'exception')""",
                    mail_ids,
                )
            )
        if message_ids:
            erasure.counts["mail.message"] += Partner._hygiene_blank(
                "mail.message", SQL("id = ANY(%s)", message_ids)
            )
            if "mail.link.preview" in self.env:
                cr.execute(
                    SQL("DELETE FROM mail_link_preview WHERE message_id = ANY(%s)", message_ids)
                )
                erasure.counts["mail.link.preview"] += cr.rowcount
        cr.execute(
            SQL(
                """
                UPDATE mail_tracking_value
                   SET old_value_char = NULL, new_value_char = NULL,
                       old_value_text = NULL, new_value_text = NULL
                 WHERE mail_message_id = ANY(%(messages)s)
                    OR lower(old_value_char) = ANY(%(values)s)
                    OR lower(new_value_char) = ANY(%(values)s)
                    OR (position('<' IN old_value_char) > 0
                        AND lower(trim(substring(old_value_char FROM %(angles)s)))
                            = ANY(%(values)s))
                    OR (position('<' IN new_value_char) > 0
                        AND lower(trim(substring(new_value_char FROM %(angles)s)))
                            = ANY(%(values)s))
                    OR ((old_value_integer = ANY(%(nodes)s) OR new_value_integer = ANY(%(nodes)s))
                        AND field_id IN (SELECT id FROM ir_model_fields
                                          WHERE ttype = 'many2one' AND relation = 'res.partner'))
                """,
                messages=message_ids,
                angles=EMAIL_IN_ANGLES,
                values=erasure.unique_values,
                nodes=nodes,
            )
        )
        erasure.counts["mail.tracking.value"] += cr.rowcount
        cr.execute(SQL("DELETE FROM mail_notification WHERE res_partner_id = ANY(%s)", nodes))
        erasure.counts["mail.notification"] += cr.rowcount

    def _hygiene_erase_activities(self, erasure):
        """Activities planned on the documents (a call on their lead, a reminder on their order):
        deleted, with their summary, note and stored copy of the record's name."""
        self.env.cr.execute(
            SQL("DELETE FROM mail_activity WHERE %s", erasure.refs("res_model", "res_id"))
        )
        erasure.counts["mail.activity"] += self.env.cr.rowcount

    def _hygiene_erase_attachments(self, erasure):
        """Files of the documents (the quotation PDF sent, a signature, a CV), of the messages
        the persons wrote, and of the messages sent to them that belong to no other record:
        deleted (the filestore garbage collection removes the file). The files of a document a
        legal hold keeps stay as issued, without their searchable copy (``index_content``)."""
        Partner = self._hygiene_partner()
        attachment_ids = Partner._hygiene_ids(
            SQL(
                """
                SELECT id FROM ir_attachment WHERE %(documents)s
                UNION SELECT attachment_id FROM message_attachment_rel
                       WHERE message_id = ANY(%(authored)s)
                UNION SELECT a.id FROM ir_attachment a
                        JOIN message_attachment_rel r ON r.attachment_id = a.id
                       WHERE r.message_id = ANY(%(messages)s)
                         AND (a.res_model IS NULL OR a.res_id IS NULL OR a.res_id = 0
                              OR a.res_model IN ('mail.message', 'mail.compose.message'))
                EXCEPT SELECT id FROM ir_attachment WHERE %(held)s
                """,
                documents=erasure.refs("res_model", "res_id"),
                authored=erasure.authored,
                messages=erasure.messages,
                held=erasure.refs("res_model", "res_id", held=True),
            )
        )
        if attachment_ids:
            attachments = self.env["ir.attachment"].sudo().browse(attachment_ids)
            erasure.counts["ir.attachment"] += len(attachments)
            attachments.unlink()
        if erasure.held:
            self.env.cr.execute(
                SQL(
                    "UPDATE ir_attachment SET index_content = NULL"
                    " WHERE %s AND index_content IS NOT NULL",
                    erasure.refs("res_model", "res_id", held=True),
                )
            )
            erasure.counts["ir.attachment"] += self.env.cr.rowcount

    def _hygiene_erase_blacklists(self, erasure):
        """Plain-text block lists: the hashed suppression list replaces them."""
        Partner = self._hygiene_partner()
        erasure.counts["mail.blacklist"] += Partner._hygiene_unlink_where(
            "mail.blacklist", SQL("email = ANY(%s)", erasure.emails)
        )
        erasure.counts["phone.blacklist"] += Partner._hygiene_unlink_where(
            "phone.blacklist", SQL("number = ANY(%s)", erasure.phones)
        )

    def _hygiene_erase_bus(self, erasure):
        """Bus notifications still queued may carry a message body or a name."""
        if erasure.values:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM bus_bus WHERE message ILIKE ANY(%s)",
                    [anonymize.like_pattern(v) for v in erasure.values],
                )
            )

    def _hygiene_erase_devices(self, erasure):
        """The sessions of their portal users: IP address, browser, place."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM res_device_log WHERE user_id IN"
                " (SELECT id FROM res_users WHERE partner_id = ANY(%s))",
                erasure.nodes,
            )
        )
        erasure.counts["res.device.log"] += self.env.cr.rowcount

    @api.model
    @ormcache()
    def _hygiene_wizard_links(self):
        """((model, [(comodel, field type, column or (relation, column1, column2))]), ...) of
        the wizards (transient models) with stored links; computed once per registry."""
        result = []
        for Model in self.env.registry.values():
            if not Model._transient or Model._abstract or not Model._auto:
                continue
            links = []
            for name, field in Model._fields.items():
                if not field.store or field.type not in ("many2one", "many2many"):
                    continue
                if field.type == "many2one":
                    links.append((field.comodel_name, "many2one", name))
                else:
                    relation = (field.relation, field.column1, field.column2)
                    links.append((field.comodel_name, "many2many", relation))
            if links:
                result.append((Model._name, tuple(links)))
        return tuple(result)

    def _hygiene_erase_wizards(self, erasure):
        """Wizards still open on the persons or their documents (a mail composer with the
        quotation, the portal access wizard, a lead conversion): deleted now rather than by the
        hourly vacuum."""
        targets = {model: sorted(ids) for model, ids in erasure.documents.items() if ids}
        wizards = self._hygiene_wizard_links()
        if not wizards:
            return
        # Most wizard tables are empty (vacuumed hourly): look only into the others.
        self.env.cr.execute(
            SQL(" UNION ALL ").join(
                SQL(
                    "SELECT %s::varchar WHERE EXISTS (SELECT 1 FROM %s)",
                    model,
                    SQL.identifier(self.env[model]._table),
                )
                for model, __ in wizards
            )
        )
        filled = {row[0] for row in self.env.cr.fetchall()}
        queries = []
        for model, links in wizards:
            if model not in filled:
                continue
            conditions = []
            for comodel, kind, column in links:
                ids = targets.get(comodel)
                if not ids:
                    continue
                if kind == "many2one":
                    conditions.append(SQL("%s = ANY(%s)", SQL.identifier(column), ids))
                else:
                    relation, column1, column2 = column
                    conditions.append(
                        SQL(
                            "id IN (SELECT %s FROM %s WHERE %s = ANY(%s))",
                            SQL.identifier(column1),
                            SQL.identifier(relation),
                            SQL.identifier(column2),
                            ids,
                        )
                    )
            if conditions:
                queries.append(
                    SQL(
                        "SELECT %s::varchar, id FROM %s WHERE %s",
                        model,
                        SQL.identifier(self.env[model]._table),
                        SQL(" OR ").join(conditions),
                    )
                )
        if not queries:
            return
        # One round trip for every wizard table (they are small, and mostly empty).
        self.env.cr.execute(SQL(" UNION ALL ").join(queries))
        found = defaultdict(list)
        for model, record_id in self.env.cr.fetchall():
            found[model].append(record_id)
        for model, ids in found.items():
            self.env[model].sudo().browse(ids).unlink()
            erasure.counts[model] += len(ids)
