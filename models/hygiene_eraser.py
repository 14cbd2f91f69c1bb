"""The erasure engine: what the retention engine erases around a person, dispatched to erasers.

The retention engine (``hygiene.retention.engine._hygiene_anonymize_nodes``) anonymises the
partner rows themselves; what holds the person's data *through another record* — their leads,
orders, invoices, meetings and mailing traces, and under those the chatter, mails, activities,
attachments, tracking values and link clicks — is erased by hooks dispatched in sequence. This
file holds only the registry and the dispatch; each application's eraser lives in its own file
under ``models/erasers/`` and registers itself by extending ``_hygiene_erasers``. A bridge module
adds an application the same way, without touching the engine::

    class HygieneEraser(models.AbstractModel):
        _inherit = "hygiene.eraser"

        @api.model
        def _hygiene_erasers(self):
            return [*super()._hygiene_erasers(), (45, "helpdesk.ticket", "_hygiene_erase_helpdesk")]

        def _hygiene_erase_helpdesk(self, erasure):
            ids = ...  # the tickets of erasure.nodes
            erasure.counts["helpdesk.ticket"] += self._hygiene_engine()._hygiene_blank(...)
            erasure.add_documents("helpdesk.ticket", ids)  # their chatter, activities, files go

Application hooks run first (sequence < 100) and declare the records that are about the persons
(``erasure.add_documents``) or kept by a legal hold (``erasure.add_held``); the layers under every
application (sequence >= 100: messages, mails, activities, attachments, notifications...) then
erase what hangs off those records. Everything is set-based SQL, per batch of partners.
"""

from collections import Counter, defaultdict

from odoo import api, models
from odoo.tools import SQL

from ..tools import anonymize

# Sequences: applications below this one, the layers under them (mail, files...) from it.
LAYER_SEQUENCE = 100


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

    def __init__(self, node_ids, holds, people, placeholder=None):
        self.nodes = sorted(node_ids)
        self.holds = dict(holds)
        self.free = [pid for pid in self.nodes if pid not in self.holds]
        self.people = people
        self.emails = sorted({e for p in people.values() for e in p["emails"]})
        self.phones = sorted({e for p in people.values() for e in p["e164"]})
        # the name given to anonymised contacts, in the company's language: never looked for
        self.placeholder = placeholder or anonymize.PARTNER_NAME
        self.values = [
            value
            for value in anonymize.identifiers(
                [v for p in people.values() for v in p["names"] + p["emails"] + p["phones"]]
            )
            if value != self.placeholder
        ]
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

    def mentions(self, column):
        """SQL: ``column`` (text) holds one of the persons' values (names included): to be used
        only on records already known to be theirs (a namesake's records are never searched by
        name)."""
        if not self.values:
            return SQL("FALSE")
        patterns = [anonymize.like_pattern(value) for value in self.values]
        return SQL("COALESCE(%s::text ILIKE ANY(%s), FALSE)", column, patterns)


class HygieneEraser(models.AbstractModel):
    _name = "hygiene.eraser"
    _description = "Data Hygiene Erasers"

    @api.model
    def _hygiene_erasers(self):
        """The erasure hooks, as (sequence, model, method name); a hook runs when its model is
        installed. Each file of ``models/erasers/`` adds its own by extending this method (see
        the module docstring): applications below ``LAYER_SEQUENCE``, the layers under them
        (messages, activities, attachments...) from it."""
        return []

    @api.model
    def _hygiene_erase(self, erasure):
        """Run every installed hook, in sequence, on ``erasure`` (see :class:`Erasure`)."""
        for __, model, method in sorted(self._hygiene_erasers()):
            if model in self.env:
                getattr(self, method)(erasure)
        return erasure.counts

    def _hygiene_engine(self):
        """The retention engine's SQL helpers (``_hygiene_blank``, ``_hygiene_ids``,
        ``_hygiene_unlink_where``, ...)."""
        return self.env["hygiene.retention.engine"]

    def _hygiene_record_names(self, model, ids):
        """Messages keep a copy of their record's name: emptied with the record."""
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET record_name = NULL WHERE model = %s AND res_id = ANY(%s)",
                model,
                sorted(ids),
            )
        )
