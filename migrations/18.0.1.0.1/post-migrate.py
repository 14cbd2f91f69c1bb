"""18.0.1.0.1 adds the name sound key (``hygiene_phonetic_key``): fill it for the partners of an
existing base from their stored name keys (a fresh install is filled by the post_init_hook)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.partner"]._hygiene_backfill_phonetic_keys()
