"""Fill the name sound key (``hygiene_phonetic_key``) of an existing base from its stored name
keys: 18.0.1.0.1 added the key, 18.0.1.0.2 changed its rule (a final "-ent" sounds like "-end",
"Laurent" like "Laurend"). A fresh install is filled by the post_init_hook."""

import logging
import time

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    start = time.perf_counter()
    count = env["res.partner"]._hygiene_backfill_phonetic_keys()
    _logger.info(
        "name sound keys of %s partners filled in %.1f s", count, time.perf_counter() - start
    )
