import logging
import os
import secrets

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.suppression import suppression_hash, suppression_values

_logger = logging.getLogger(__name__)

CONFIG_KEY = "hygiene_suppression_key"
REASONS = [
    ("erasure", "Erasure"),
    ("objection", "Objection to marketing"),
]


class HygieneSuppression(models.Model):
    """The suppression list: keyed hashes of the emails and phones of people who were erased or
    objected to marketing, with the reason and the date, and nothing else.

    Import, partner creation and the duplicate scan consult it so that such a person never comes
    back silently. Rows are written by the service methods only; the privacy officer looks an
    address up through a wizard and never sees a list of people.
    """

    _name = "hygiene.suppression"
    _description = "Suppression List Entry"
    _order = "id desc"
    _rec_name = "kind"

    value_hash = fields.Char(string="Keyed Hash", required=True, readonly=True)
    kind = fields.Selection([("email", "Email"), ("phone", "Phone")], required=True, readonly=True)
    reason = fields.Selection(REASONS, required=True, readonly=True)

    _sql_constraints = [
        ("hash_unique", "unique(value_hash)", "This value is already on the suppression list."),
    ]

    # ------------------------------------------------------------------ key

    @api.model
    def _suppression_secret(self):
        """The HMAC key: ``hygiene_suppression_key`` in the Odoo configuration file, else a
        random key created once in the data directory (outside the database, readable by the
        Odoo user only). Losing the key makes the existing list unusable: back it up."""
        configured = tools.config.get(CONFIG_KEY)
        if configured:
            return str(configured).encode()
        folder = os.path.join(tools.config["data_dir"], "partner_data_hygiene", self.env.cr.dbname)
        path = os.path.join(folder, "suppression.key")
        if not os.path.exists(path):
            os.makedirs(folder, mode=0o700, exist_ok=True)
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another worker created it at the same moment
                descriptor = None
            if descriptor is not None:
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(secrets.token_hex(32))
            _logger.warning(
                "No %s in the Odoo configuration file: created a suppression-list key in %s. "
                "Set %s in the configuration file and back it up.",
                CONFIG_KEY,
                path,
                CONFIG_KEY,
            )
        with open(path, encoding="ascii") as handle:
            return handle.read().strip().encode()

    @api.model
    def _hashes(self, email=None, phones=(), region=None):
        # a number without its country is read where the contact keys read it: never in the
        # writer's current company, which would hash one number differently per writer
        region = region or self.env["res.partner"]._hygiene_default_region()
        secret = self._suppression_secret()
        return [
            (kind, suppression_hash(secret, kind, value))
            for kind, value in suppression_values(email, phones, region)
        ]

    # ------------------------------------------------------------------ service

    @api.model
    def _suppress(self, reason, email=None, phones=(), region=None):
        """Add the email and phones of one person to the list; returns the number of new rows.

        Callers decide who may do this (erasure, objection) and call it with ``sudo()``.
        Idempotent: a value already listed keeps its reason, except that an erasure replaces
        an objection.
        """
        if reason not in dict(REASONS):
            raise UserError(self.env._("Unknown suppression reason %(reason)r.", reason=reason))
        hashes = self._hashes(email, phones, region)
        if not hashes:
            return 0
        self.env.flush_all()
        added = self._insert_hashes([(value_hash, kind) for kind, value_hash in hashes], reason)
        if added:
            self._journal("suppress", added, reason)
        return added

    @api.model
    def _journal(self, operation, count, reason):
        """The operations journal records every change of the list: how many values, why, by
        whom; never the value (its hash neither)."""
        self.env["hygiene.journal"]._log(
            operation, counts={"hygiene.suppression": count}, reason=reason
        )

    @api.model
    def _insert_hashes(self, rows, reason):
        """Insert ``rows`` (``(value_hash, kind)``) with ``reason`` in one statement; a value
        already listed keeps its reason unless ``reason`` is an erasure. Returns the number of
        new rows."""
        if not rows:
            return 0
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, NOW() AT TIME ZONE 'UTC', %s, NOW() AT TIME ZONE 'UTC')",
                value_hash,
                kind,
                reason,
                self.env.uid,
                self.env.uid,
            )
            for value_hash, kind in rows
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO hygiene_suppression
                       (value_hash, kind, reason, create_uid, create_date, write_uid, write_date)
                VALUES %s
                ON CONFLICT (value_hash) DO UPDATE SET reason = 'erasure'
                 WHERE EXCLUDED.reason = 'erasure' AND hygiene_suppression.reason != 'erasure'
                RETURNING (xmax = 0)
                """,
                values,
            )
        )
        # an erasure outranks an earlier objection: a new consent would lift an objection,
        # never an erasure (security review L6)
        return sum(1 for (inserted,) in self.env.cr.fetchall() if inserted)

    @api.model
    def _unsuppress(self, reason, email=None, phones=(), region=None):
        """Remove the entries of ``reason`` for this person (a proven new consent lifts an
        objection; an erasure is never lifted this way). Returns the number of rows removed."""
        hashes = [value_hash for __, value_hash in self._hashes(email, phones, region)]
        if not hashes:
            return 0
        entries = self.sudo().search([("value_hash", "in", hashes), ("reason", "=", reason)])
        count = len(entries)
        entries.unlink()
        if count:
            self._journal("unsuppress", count, reason)
        return count

    @api.model
    def _is_suppressed(self, email=None, phones=(), region=None):
        """Return the kinds (email, phone) under which this person is on the list."""
        hashes = self._hashes(email, phones, region)
        if not hashes:
            return set()
        found = self.sudo().search_read(
            [("value_hash", "in", [value_hash for __, value_hash in hashes])], ["kind"]
        )
        return {row["kind"] for row in found}

    def write(self, vals):  # pylint: disable=method-required-super
        # No super(): an entry is a hash, a reason and a date; there is nothing to correct.
        raise UserError(self.env._("Suppression list entries cannot be changed."))
