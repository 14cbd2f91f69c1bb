from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import normalize
from ..tools.service_fields import service_fields
from .res_partner import ACTIVITY_FIELDS, PROVENANCE_FIELDS

# image.mixin's copies of image_1920 at smaller sizes, stored related fields of res.partner
RESIZED_IMAGES = frozenset(("image_1024", "image_512", "image_256", "image_128"))


class HygienePartnerOrigin(models.Model):
    """The import batch and row an origin comes from."""

    _inherit = "hygiene.partner.origin"

    import_batch_id = fields.Many2one(
        "hygiene.import.batch",
        string="Import",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
    )
    import_line_number = fields.Integer(string="Row in File", readonly=True)

    def _hygiene_import_origin_rows(self, vals_list):
        """The ``VALUES`` rows of ``_hygiene_insert_import_origins``; a collection date in the
        future is refused, as ``create`` refuses it."""
        now = fields.Datetime.now()
        rows = []
        for vals in vals_list:
            collected = fields.Datetime.to_datetime(vals.get("collected_date")) or now
            if collected > now:
                raise ValidationError(
                    self.env._(
                        "The collection date of an origin cannot be in the future (%(date)s).",
                        date=collected,
                    )
                )
            rows.append(
                SQL(
                    "(%s, %s, %s, %s::timestamp, %s, %s::integer, %s::integer)",
                    vals["partner_id"],
                    vals["source_id"],
                    vals.get("source_ref") or None,
                    collected,
                    vals.get("note") or None,
                    vals.get("import_batch_id") or None,
                    vals.get("import_line_number") or None,
                )
            )
        return rows

    @api.model
    def _hygiene_insert_import_origins(self, vals_list):
        """Insert the origins of an import chunk in one statement (an import writes one origin per
        row: the ORM's create costs more than the rest of the row). Same checks and effects as
        ``create``: create right, no collection date in the future, stored related fields, first
        origin copied onto the contacts."""
        if not vals_list:
            return
        self.check_access("create")
        rows = self._hygiene_import_origin_rows(vals_list)
        self.env["res.partner"].flush_model(["company_id"])
        self.env["hygiene.source"].flush_model(["channel_type"])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO hygiene_partner_origin
                       (partner_id, source_id, channel_type, source_ref, collected_date, note,
                        company_id, import_batch_id, import_line_number,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.partner_id, v.source_id, s.channel_type, v.source_ref, v.collected_date,
                       v.note, p.company_id, v.batch_id, v.line_number,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (VALUES %(rows)s)
                       AS v(partner_id, source_id, source_ref, collected_date, note, batch_id,
                            line_number)
                  JOIN res_partner p ON p.id = v.partner_id
                  JOIN hygiene_source s ON s.id = v.source_id
                """,
                rows=SQL(", ").join(rows),
                uid=self.env.uid,
                now=self.env.cr.now(),
            )
        )
        partner_ids = sorted({vals["partner_id"] for vals in vals_list})
        self.invalidate_model()
        self.env["res.partner"].browse(partner_ids).invalidate_recordset(
            ["hygiene_origin_ids", "hygiene_first_origin_id", "hygiene_latest_origin_id"]
        )
        self._update_partner_first_origin(partner_ids)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The inverse of res.company.partner_id, which core leaves without one: each write of a
    # contact searched the companies whose address follows it (ORM ``_modified_triggers``:
    # about 0.4 ms a write, most of an import's update); with an inverse, that lookup reads this
    # field, which the import prefetches once for all the contacts it updates. Never shown.
    hygiene_company_ref_ids = fields.One2many(
        "res.company",
        "partner_id",
        string="Companies of this Contact",
        readonly=True,
        groups="base.group_system",
    )
    hygiene_email_bounced = fields.Boolean(
        string="Email Bounced",
        readonly=True,
        copy=False,
        help="The email address was reported as a hard bounce by an emailing tool: it does not "
        "exist any more.",
    )
    hygiene_email_bounced_date = fields.Datetime(
        string="Email Bounced On", readonly=True, copy=False
    )

    @api.model
    def _hygiene_create_imported(self, vals_list):
        """``create`` of the import's new contacts, whose values carry their first origin and
        last activity (their own row's, as the origins and activities recorded just after set
        them): written in the INSERT instead of two UPDATEs of every new row afterwards, each
        of which rewrites the row and every index of res_partner."""
        # the values are the file's: no default of the caller's context (any client's)
        creator = self._hygiene_without_context_defaults(self._fields)
        vals_list = [
            self._hygiene_with_sanitized_phone(self._hygiene_without_resized_images(vals))
            for vals in vals_list
        ]
        with service_fields(PROVENANCE_FIELDS + ACTIVITY_FIELDS):
            return creator.create(vals_list).with_env(self.env)

    def _hygiene_without_resized_images(self, vals):
        """A file brings no picture: the resized copies core would compute from the missing
        ``image_1920`` (empty, each a write through the attachment machinery per contact) are
        given empty at once."""
        if vals.get("image_1920"):
            return vals
        return {**dict.fromkeys(RESIZED_IMAGES & self._fields.keys(), False), **vals}

    def _hygiene_with_sanitized_phone(self, vals):
        """phone_validation's ``phone_sanitized`` is the E.164 form of the first valid number
        of ``_phone_get_number_fields``, whatever the country for a number already in E.164.
        The file's numbers were normalised to E.164 when staged: a first number that is its own
        E.164 form is its sanitized form, given at once instead of parsed again per contact.
        Any other case (an invalid number kept as typed) is left to core's compute."""
        if "phone_sanitized" not in self._fields or "phone_sanitized" in vals:
            return vals
        numbers = [vals.get(name) for name in self._phone_get_number_fields()]
        first = next((number for number in numbers if number), None)
        if first is None:
            return {**vals, "phone_sanitized": False}
        if isinstance(first, str) and normalize.normalize_phone(first) == first:
            return {**vals, "phone_sanitized": first}
        return vals
