from odoo import fields, models

STAGES = [("keys", "Blocking Keys"), ("pairs", "Pairs"), ("score", "Scoring"), ("groups", "Groups")]


class HygieneScanRun(models.Model):
    """One duplicate scan split into chunks (``hygiene.duplicate.scan``): its stage, settings
    and figures. Its working tables are named after its id and dropped when it ends."""

    _name = "hygiene.scan.run"
    _description = "Duplicate Scan Run"
    _order = "id desc"

    state = fields.Selection(
        [*STAGES, ("done", "Done"), ("failed", "Failed")], default="keys", required=True
    )
    threshold = fields.Float(digits=(3, 3))
    block_cap = fields.Integer()
    chunks = fields.Integer(help="Key chunks, and chunks of groups.")
    partners = fields.Integer()
    auto_merge = fields.Boolean(help="Merge the groups above the auto-merge threshold at the end.")
    shared = fields.Text(help="JSON: the emails and phones of many contacts (weak evidence).")
    stats = fields.Text(help="JSON: the figures of the run.")


class HygieneScanChunk(models.Model):
    """A chunk of a scan run, claimed by one worker with ``FOR UPDATE SKIP LOCKED``: a range
    of contact ids (keys), a key chunk (pairs), the pairs of a range of contact ids (score) or
    a set of connected components (groups)."""

    _name = "hygiene.scan.chunk"
    _description = "Duplicate Scan Chunk"
    _order = "id"

    run_id = fields.Many2one("hygiene.scan.run", required=True, ondelete="cascade", index=True)
    stage = fields.Selection(STAGES, required=True)
    number = fields.Integer()
    low_id = fields.Integer()
    high_id = fields.Integer()
    state = fields.Selection([("todo", "To Do"), ("done", "Done")], default="todo", required=True)
    stats = fields.Text(help="JSON: the figures of the chunk.")
