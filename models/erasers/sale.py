from odoo import api, models
from odoo.tools import SQL

from ...tools import anonymize

ORDER_PARTNER_LINKS = ("partner_id", "partner_invoice_id", "partner_shipping_id")
# What identifies the customer on an order: the signer, their reference, the origin (a lead's
# name), the form fields of a quote.
ORDER_COLUMNS = ("signed_by", "client_order_ref", "origin", "customizable_pdf_form_fields")


class HygieneEraserSale(models.AbstractModel):
    _inherit = "hygiene.eraser"

    @api.model
    def _hygiene_erasers(self):
        return [*super()._hygiene_erasers(), (20, "sale.order", "_hygiene_erase_sale")]

    def _hygiene_erase_sale(self, erasure):
        """Orders of the persons stay (sales figures, and the invoices they lead to), without
        what identifies the customer (``ORDER_COLUMNS``), and without the terms or line
        descriptions that were typed with their name, email or phone; their chatter, the
        quotations sent (PDF), the signature image and the activities go (documents)."""
        Engine = self._hygiene_engine()
        Order = self.env["sale.order"]
        links = [name for name in ORDER_PARTNER_LINKS if name in Order._fields]
        order_ids = Engine._hygiene_ids(
            SQL(
                "SELECT id FROM sale_order WHERE %s",
                SQL(" OR ").join(
                    SQL("%s = ANY(%s)", SQL.identifier(name), erasure.nodes) for name in links
                ),
            )
        )
        if not order_ids:
            return
        erasure.counts["sale.order"] += Engine._hygiene_blank(
            "sale.order", SQL("id = ANY(%s)", order_ids), only=ORDER_COLUMNS
        )
        erasure.counts["sale.order"] += self._hygiene_erase_sale_texts(erasure, order_ids)
        erasure.add_documents("sale.order", order_ids)

    def _hygiene_erase_sale_texts(self, erasure, order_ids):
        """The terms of an order (``note``) that name the person are emptied; a line whose
        description names them gets its product's name back (or a constant for a section or a
        note): the quantities, prices and the product stay."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "UPDATE sale_order SET note = NULL WHERE id = ANY(%s) AND %s",
                order_ids,
                erasure.mentions(SQL("note")),
            )
        )
        count = cr.rowcount
        cr.execute(
            SQL(
                """
                UPDATE sale_order_line l
                   SET name = COALESCE(t.name->>'en_US', %s)
                  FROM sale_order_line s
             LEFT JOIN product_product p ON p.id = s.product_id
             LEFT JOIN product_template t ON t.id = p.product_tmpl_id
                 WHERE l.id = s.id AND l.order_id = ANY(%s) AND %s
                """,
                anonymize.LINE_NAME,
                order_ids,
                erasure.mentions(SQL("l.name")),
            )
        )
        count += cr.rowcount
        self.env["sale.order"].invalidate_model(["note"])
        self.env["sale.order.line"].invalidate_model(["name"])
        return count
