"""Cost of the personal-data export of a large account (issue 17).

A portal customer with 10,000 messages they wrote and 1,000 sale orders (Sales installed), then
the export (JSON + CSV in a ZIP) built as the cron builds it. Target: under 30 s. Run in an Odoo
shell on a database with ``sale`` installed; nothing is committed::

    odoo-bin shell -c odoo.conf -d DB < bench/privacy_export_bench.py
"""

import io
import time
import zipfile

from odoo.tools import SQL

MESSAGES = 10_000
ORDERS = 1_000

env = env(context=dict(env.context, tracking_disable=True))  # noqa: F821 - the shell's env
user = env["res.users"].create(
    {
        "name": "Bench Customer",
        "login": "bench_export_customer",
        "email": "bench.customer@example.com",
        "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
    }
)
partner = user.partner_id
started = time.perf_counter()
comment = env.ref("mail.mt_comment")
env.cr.execute(
    SQL(
        """
        INSERT INTO mail_message (model, res_id, author_id, message_type, subtype_id, body,
                                  date, create_date, write_date, create_uid, write_uid)
        SELECT 'res.partner', %(pid)s, %(pid)s, 'comment', %(subtype)s,
               '<p>Message number ' || n || ' from the customer, with <b>markup</b>.</p>',
               now() - n * interval '1 hour', now(), now(), 1, 1
          FROM generate_series(1, %(count)s) AS n
        """,
        pid=partner.id,
        subtype=comment.id,
        count=MESSAGES,
    )
)
if "sale.order" not in env:
    raise SystemExit("Install sale first: the bench measures 1,000 orders.")
env["sale.order"].create([{"partner_id": partner.id} for __ in range(ORDERS)])
env.flush_all()
print(f"setup: {MESSAGES} messages, {ORDERS} orders in {time.perf_counter() - started:.1f} s")

Service = env["hygiene.privacy.service"]
print("size counted for the background decision:", Service._hygiene_export_size(partner))
started = time.perf_counter()
req, created = Service.with_user(user)._hygiene_request_export(partner)
queued = time.perf_counter() - started
print(f"request: {req.export_state} in {queued:.2f} s (background above the sync limit)")
started = time.perf_counter()
env["hygiene.privacy.request"]._cron_hygiene_privacy_exports()
elapsed = time.perf_counter() - started
data = req.export_attachment_id.raw
archive = zipfile.ZipFile(io.BytesIO(data))
import json  # noqa: E402

document = json.loads(archive.read("personal_data.json"))
print(
    f"export built in {elapsed:.2f} s: {len(data) / 1e6:.1f} MB zip, "
    f"{len(document['tables']['messages'])} messages, {len(document['tables']['orders'])} orders"
)
print("target < 30 s:", "met" if elapsed < 30 else "MISSED")
env.cr.rollback()
