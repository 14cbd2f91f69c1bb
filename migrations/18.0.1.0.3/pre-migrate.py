"""18.0.1.0.3 adds a stored ``company_id`` to the addon's records that hold partner data (read by
the multi-company record rules). Filled here in one UPDATE per table, before the ORM sees the new
fields, so that a large base is not recomputed record by record; existing retention policies
get no company (they keep applying to every company)."""

import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

_logger = logging.getLogger(__name__)

# table -> SQL giving each row's company
FOLLOWERS = {
    "hygiene_consent": ("partner_id", "res_partner"),
    "hygiene_consent_state": ("partner_id", "res_partner"),
    "hygiene_repermission": ("partner_id", "res_partner"),
    "hygiene_merge_journal": ("survivor_id", "res_partner"),
    "hygiene_import_line": ("batch_id", "hygiene_import_batch"),
}


def migrate(cr, version):
    if not version:
        return
    for table, (column, parent) in FOLLOWERS.items():
        if column_exists(cr, table, "company_id"):
            continue
        create_column(cr, table, "company_id", "int4")
        cr.execute(
            SQL(
                "UPDATE %s AS t SET company_id = p.company_id FROM %s AS p WHERE p.id = t.%s",
                SQL.identifier(table),
                SQL.identifier(parent),
                SQL.identifier(column),
            )
        )
        _logger.info("%s: company of %s rows filled", table, cr.rowcount)
    # existing retention policies keep applying to every company (a new one defaults to the
    # company of its author): the column is created empty, so the ORM does not fill a default
    if not column_exists(cr, "hygiene_retention_policy", "company_id"):
        create_column(cr, "hygiene_retention_policy", "company_id", "int4")
