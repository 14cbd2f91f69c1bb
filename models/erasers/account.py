from odoo import api, models
from odoo.tools import SQL

# A payment stays as registered under the hold (posted or in process); a draft or cancelled one
# never justified anything.
HELD_PAYMENT_STATES = ("in_process", "paid")


class HygieneEraserAccount(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [
            *super()._hygiene_erasers(),
            (30, "account.move", "_hygiene_erase_account"),
            (32, "account.payment", "_hygiene_erase_account_payments"),
        ]

    def _hygiene_erase_account(self, erasure):
        """Journal entries of the persons. A posted one of a partner under the accounting hold is
        kept (held): the invoice row, its PDF and its electronic invoice (Factur-X / UBL) stay as
        issued until the hold ends (README, "Legal hold"). The others lose the printed name, the
        customer's reference, the terms and the journal item labels copying them or naming the
        person; none keeps the address an inbound bill came from. The chatter of every one goes
        (documents)."""
        cr = self.env.cr
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
        free = [move_id for move_id, is_held in rows if not is_held]
        erasure.add_documents("account.move", move_ids)
        erasure.add_held("account.move", [move_id for move_id, is_held in rows if is_held])
        if free:
            erasure.counts["account.move"] += self._hygiene_erase_free_moves(erasure, free)
        # The address a bill came from is not a mention of the invoice: never kept.
        erasure.counts["account.move"] += self._hygiene_engine()._hygiene_blank(
            "account.move",
            SQL("id = ANY(%s) AND invoice_source_email IS NOT NULL", move_ids),
            only=("invoice_source_email",),
        )
        self.env["account.move"].invalidate_model()
        self.env["account.move.line"].invalidate_model()

    def _hygiene_erase_free_moves(self, erasure, move_ids):
        """Entries past their retention period (or never posted): the printed name goes, the
        customer's reference with the journal item labels that copy it, the labels and terms
        naming the person (a line description copied from their order, a payment's memo)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                UPDATE account_move_line l SET name = NULL
                  FROM account_move m
                 WHERE l.move_id = m.id AND m.id = ANY(%s) AND l.name IS NOT NULL
                   AND ((m.ref <> '' AND position(m.ref IN l.name) > 0) OR %s)
                """,
                move_ids,
                erasure.mentions(SQL("l.name")),
            )
        )
        count = cr.rowcount
        cr.execute(
            SQL(
                "UPDATE account_move_line SET ref = NULL WHERE move_id = ANY(%s) AND ref <> ''",
                move_ids,
            )
        )
        cr.execute(
            SQL(
                """
                UPDATE account_move
                   SET invoice_partner_display_name = CASE
                           WHEN invoice_partner_display_name IS NULL THEN NULL ELSE %s END,
                       ref = NULL,
                       narration = CASE WHEN %s THEN NULL ELSE narration END
                 WHERE id = ANY(%s)
                   AND (invoice_partner_display_name IS NOT NULL OR ref IS NOT NULL OR %s)
                """,
                erasure.placeholder,
                erasure.mentions(SQL("narration")),
                move_ids,
                erasure.mentions(SQL("narration")),
            )
        )
        return count + cr.rowcount

    def _hygiene_erase_account_payments(self, erasure):
        """Payments of the persons: the memo and the payment reference (often the customer's
        name, or their bank's label) are emptied; a registered payment of a partner under the
        accounting hold keeps them as posted (README, "Legal hold"). Their chatter goes
        (documents)."""
        Engine = self._hygiene_engine()
        rows = self._hygiene_payment_rows(erasure)
        if not rows:
            return
        held = [pid for pid, is_held in rows if is_held]
        free = [pid for pid, is_held in rows if not is_held]
        erasure.add_documents("account.payment", [pid for pid, __ in rows])
        erasure.add_held("account.payment", held)
        if free:
            erasure.counts["account.payment"] += Engine._hygiene_blank(
                "account.payment",
                SQL("id = ANY(%s)", free),
                only=("memo", "payment_reference"),
            )

    def _hygiene_payment_rows(self, erasure):
        """[(payment id, held)] of the persons' payments."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id, state = ANY(%(states)s) AND partner_id = ANY(%(held)s)
                  FROM account_payment WHERE partner_id = ANY(%(nodes)s)
                """,
                states=list(HELD_PAYMENT_STATES),
                held=list(erasure.holds),
                nodes=erasure.nodes,
            )
        )
        return self.env.cr.fetchall()
