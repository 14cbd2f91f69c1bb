from odoo import fields, models


class HygieneImportSheet(models.Model):
    """A sheet of a workbook, or a table or view of an SQLite database, found in an imported
    file: the choices of the sheet picker of its import."""

    _name = "hygiene.import.sheet"
    _description = "Sheet or Table of an Imported File"
    _order = "sequence, id"

    batch_id = fields.Many2one(
        "hygiene.import.batch", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    name = fields.Char(required=True, readonly=True)
