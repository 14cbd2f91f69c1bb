"""Benchmark of the control step (issue 18): quality, engagement and RFM scores, the daily
snapshot and the dashboard on a large base.

    ./dev bench control [--count 1000000] [--orders 100000] [--template h_ctl] [--db NAME]

A copy of TEMPLATE (a database with the addon and Sales, e.g. the one the tests use) is filled
with COUNT partners by COPY (realistic mix: invalid emails and phones, missing addresses, French
companies with or without a valid SIREN, ten years of collection and activity dates, consents,
duplicate groups to review), ORDERS confirmed sales orders over three years and mailing traces
(sends, opens, clicks). Then, in a separate process whose peak RSS is measured:

1. full recompute of the scores (quality, engagement, RFM) of every contact;
2. a daily snapshot;
3. 1 % of the contacts changed, 1,000 new orders, 500 consents: incremental recompute;
4. the dashboard opened as a hygiene user (the action and the form's read), median of 5.

Targets: (1) under 5 minutes and a peak RSS under 1.5 GB at 1,000,000 partners with 100,000
orders; (4) under 1 s. PostgreSQL's own memory is not counted (another process).
"""

import io
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Thomas", "Inès", "Julien", "Émilie", "Rémi"]
LAST = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Garnier", "Roux", "Fontaine"]
CITIES = [("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille"), ("33000", "Bordeaux")]
DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "yahoo.fr"]


def _copy(cr, table, columns, rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    cr.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _partner_row(rng, i, france, sources):
    """One generated partner (a realistic mix of good and bad data)."""
    company = rng.random() < 0.05
    name = (
        f"{rng.choice(LAST)} {rng.choice(['SAS', 'SARL', 'SA'])} {i}"
        if company
        else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    )
    roll = rng.random()
    if roll < 0.08:
        email = key = None
    elif roll < 0.13:
        email, key = f"{name.lower().replace(' ', '.')}.{i}@", None  # invalid
    else:
        email = f"{name.lower().replace(' ', '.')}.{i}@{rng.choice(DOMAINS)}"
        key = email
    roll = rng.random()
    if roll < 0.3:
        phone = phone_key = None
    elif roll < 0.34:
        phone, phone_key = "06 12", None
    else:
        digits = f"{rng.randint(10_000_000, 99_999_999)}"
        phone, phone_key = f"06{digits}", f"+336{digits}"
    address = rng.random() < 0.6
    zip_code, city = rng.choice(CITIES)
    vat = company_key = None
    if company and rng.random() < 0.7:
        siren = f"{rng.randint(100_000_000, 999_999_999)}"
        vat, company_key = f"FR00{siren}", (siren if rng.random() < 0.8 else None)
    collected_days = rng.randint(0, 3650)
    activity_days = rng.randint(0, collected_days) if rng.random() < 0.45 else None
    collected = collected_days
    return [
        name,
        name,
        email,
        key,
        key,
        phone,
        phone_key,
        f"{rng.randint(1, 120)} rue de la Paix" if address else None,
        zip_code if address else None,
        city if address else None,
        france if rng.random() < 0.7 else None,
        "t" if company else "f",
        vat,
        company_key,
        rng.choice(sources),
        collected,
        activity_days,
        "inbound_email" if activity_days is not None else None,
        collected,
        collected,
        "t",
        "contact",
        "t",
        1,
        1,
        "ask",
    ]


def load(env, count, orders, seed=18):
    """Fill the base: partners, consents, duplicate groups, orders, mailing traces."""
    cr = env.cr
    rng = random.Random(seed)
    cr.execute("SELECT id FROM res_country WHERE code = 'FR'")
    france = cr.fetchone()[0]
    cr.execute("SELECT id FROM hygiene_source ORDER BY id")
    sources = [row[0] for row in cr.fetchall()]
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
    first_id = cr.fetchone()[0] + 1
    columns = [
        "name",
        "complete_name",
        "email",
        "email_normalized",
        "hygiene_email_key",
        "phone",
        "hygiene_phone_key",
        "street",
        "zip",
        "city",
        "country_id",
        "is_company",
        "vat",
        "hygiene_company_key",
        "hygiene_source_id",
        "hygiene_collected_date",
        "hygiene_last_activity_date",
        "hygiene_last_activity_source",
        "create_date",
        "write_date",
        "active",
        "type",
        "partner_share",
        "create_uid",
        "write_uid",
        "autopost_bills",
    ]
    chunk = 100000
    started = time.perf_counter()
    for start in range(0, count, chunk):
        rows = [
            _partner_row(rng, i, france, sources) for i in range(start, min(count, start + chunk))
        ]
        # dates as offsets, resolved by PostgreSQL: COPY into a staging table first
        cr.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_partner (LIKE res_partner INCLUDING DEFAULTS)"
        )
        cr.execute("ALTER TABLE bench_partner ALTER COLUMN id DROP NOT NULL")
        for column in (
            "hygiene_collected_date",
            "hygiene_last_activity_date",
            "create_date",
            "write_date",
        ):
            cr.execute(f"ALTER TABLE bench_partner ALTER COLUMN {column} TYPE text")
        cr.execute("TRUNCATE bench_partner")
        _copy(cr, "bench_partner", columns, rows)
        date_columns = {
            "hygiene_collected_date",
            "hygiene_last_activity_date",
            "create_date",
            "write_date",
        }
        select = ", ".join(
            f"(NOW() AT TIME ZONE 'UTC') - {c}::int * INTERVAL '1 day'" if c in date_columns else c
            for c in columns
        )
        cr.execute(
            f"INSERT INTO res_partner ({', '.join(columns)}) SELECT {select} FROM bench_partner"
        )
        print(
            f"  loaded {min(count, start + chunk):,} partners "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id >= %s", [first_id])
    cr.execute("SELECT id FROM res_partner WHERE id >= %s ORDER BY id", [first_id])
    ids = [row[0] for row in cr.fetchall()]
    # consents: 30 % newsletter granted (with a proof date), 5 % withdrawn
    cr.execute("SELECT id FROM hygiene_purpose WHERE code = 'newsletter'")
    newsletter = cr.fetchone()[0]
    events = []
    for pid in ids:
        roll = rng.random()
        if roll < 0.35:
            action = "grant" if roll < 0.30 else "withdraw"
            events.append((pid, newsletter, action, "web_form", f"{rng.randint(1, 2000)}"))
    cr.execute(
        "CREATE TEMP TABLE bench_consent (partner_id int, purpose_id int, action text, "
        "channel text, days int)"
    )
    _copy(cr, "bench_consent", ["partner_id", "purpose_id", "action", "channel", "days"], events)
    cr.execute(
        """INSERT INTO hygiene_consent (partner_id, purpose_id, action, channel, event_date,
                  proven, state, create_uid, write_uid, create_date, write_date)
           SELECT partner_id, purpose_id, action, channel,
                  (NOW() AT TIME ZONE 'UTC') - days * INTERVAL '1 day', TRUE,
                  CASE WHEN action = 'grant' THEN 'granted' ELSE 'withdrawn' END, 1, 1,
                  NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
             FROM bench_consent"""
    )
    cr.execute(
        """INSERT INTO hygiene_consent_state (partner_id, purpose_id, state, event_id, event_date,
                  create_uid, write_uid, create_date, write_date)
           SELECT partner_id, purpose_id, state, id, event_date, 1, 1, create_date, write_date
             FROM hygiene_consent WHERE partner_id >= %s
           ON CONFLICT DO NOTHING""",
        [first_id],
    )
    # duplicate groups to review: 1 % of the contacts, in pairs
    sample = rng.sample(ids, min(len(ids) // 100 * 2, len(ids)))
    cr.execute(
        """INSERT INTO hygiene_duplicate_group (partner_count, score, state, create_uid,
                  write_uid, create_date, write_date)
           SELECT 2, 0.8, 'pending', 1, 1, NOW(), NOW() FROM generate_series(1, %s)
        RETURNING id""",
        [len(sample) // 2],
    )
    group_ids = [row[0] for row in cr.fetchall()]
    _copy(
        cr,
        "hygiene_duplicate_group_partner_rel",
        ["group_id", "partner_id"],
        [(group_ids[i // 2], pid) for i, pid in enumerate(sample[: len(group_ids) * 2])],
    )
    # orders: ORDERS confirmed orders over three years for 40 % of ORDERS customers
    cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company_id = cr.fetchone()[0]
    customers = rng.sample(ids, min(len(ids), max(1, int(orders * 0.4))))
    order_rows = []
    for n in range(orders):
        pid = customers[int(len(customers) * rng.random() ** 2)]  # a few buy often
        order_rows.append(
            (
                f"BENCH{n}",
                pid,
                pid,
                pid,
                company_id,
                rng.randint(0, 1100),
                round(rng.uniform(15, 900), 2),
            )
        )
    cr.execute(
        "CREATE TEMP TABLE bench_order (name text, partner_id int, partner_invoice_id int, "
        "partner_shipping_id int, company_id int, days int, amount numeric)"
    )
    _copy(
        cr,
        "bench_order",
        [
            "name",
            "partner_id",
            "partner_invoice_id",
            "partner_shipping_id",
            "company_id",
            "days",
            "amount",
        ],
        order_rows,
    )
    cr.execute(
        """INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id,
                  company_id, date_order, state, amount_total, amount_untaxed, currency_rate,
                  create_uid, write_uid, create_date, write_date)
           SELECT name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                  (NOW() AT TIME ZONE 'UTC') - days * INTERVAL '1 day', 'sale', amount, amount, 1,
                  1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
             FROM bench_order"""
    )
    # mailing traces (Email Marketing installed): 10 % of the contacts mailed 3 times,
    # a third of the mails opened, one in ten clicked
    cr.execute("SELECT to_regclass('mailing_trace') IS NOT NULL")
    if cr.fetchone()[0]:
        mailing_id = (
            env["mailing.mailing"]
            .create(
                {
                    "subject": "Bench newsletter",
                    "body_html": "<p>Hello</p>",
                    "mailing_model_id": env.ref("base.model_res_partner").id,
                }
            )
            .id
        )
        env.flush_all()
        mailed = rng.sample(ids, len(ids) // 10)
        trace_rows = []
        for pid in mailed:
            for k in range(3):
                opened = rng.random() < 0.33
                clicked = opened and rng.random() < 0.3
                trace_rows.append(
                    (
                        mailing_id,
                        "res.partner",
                        pid,
                        "sent" if not opened else "open",
                        30 * k + 5,
                        "t" if opened else "f",
                        "t" if clicked else "f",
                    )
                )
        cr.execute(
            "CREATE TEMP TABLE bench_trace (mailing int, model text, res_id int, status text, "
            "days int, opened bool, clicked bool)"
        )
        _copy(
            cr,
            "bench_trace",
            ["mailing", "model", "res_id", "status", "days", "opened", "clicked"],
            trace_rows,
        )
        cr.execute(
            """INSERT INTO mailing_trace (mass_mailing_id, model, res_id, trace_type, trace_status,
                      sent_datetime, open_datetime, links_click_datetime, create_uid, write_uid,
                      create_date, write_date)
               SELECT mailing, model, res_id, 'mail', status,
                      (NOW() AT TIME ZONE 'UTC') - days * INTERVAL '1 day',
                      CASE WHEN opened
                           THEN (NOW() AT TIME ZONE 'UTC') - days * INTERVAL '1 day' END,
                      CASE WHEN clicked
                           THEN (NOW() AT TIME ZONE 'UTC') - days * INTERVAL '1 day' END,
                      1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                 FROM bench_trace"""
        )
    for table in ("res_partner", "hygiene_consent", "hygiene_consent_state", "sale_order"):
        cr.execute(f"ANALYZE {table}")
    return ids


def worker(db, config, count):
    """The measured process: prints one JSON line of figures."""
    import odoo
    from odoo.api import Environment

    odoo.tools.config.parse_config(["-c", config, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    figures = {}

    def rss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    with registry.cursor() as cr:
        env = Environment(cr, odoo.SUPERUSER_ID, {})
        Score = env["hygiene.partner.score"]
        start = time.perf_counter()
        stats = Score._hygiene_refresh(full=True)
        cr.commit()  # pylint: disable=invalid-commit  (bench database)
        figures["full_s"] = round(time.perf_counter() - start, 1)
        figures["full_partners"] = stats["partners"]
        figures["full_chunks"] = stats["chunks"]
        figures["rfm_rows"] = stats["rfm"]
        figures["full_rss_mb"] = round(rss_mb())
        cr.execute("SELECT COUNT(*) FROM hygiene_partner_score WHERE rfm_label IS NOT NULL")
        figures["rfm_customers"] = cr.fetchone()[0]
        start = time.perf_counter()
        env["hygiene.kpi.snapshot"]._hygiene_take("daily")
        cr.commit()  # pylint: disable=invalid-commit  (bench database)
        figures["snapshot_s"] = round(time.perf_counter() - start, 1)
        # 1 % of the contacts change, 1,000 orders, 500 consents
        rng = random.Random(5)
        cr.execute("SELECT id FROM res_partner WHERE active ORDER BY id")
        ids = [row[0] for row in cr.fetchall()]
        changed = rng.sample(ids, len(ids) // 100)
        cr.execute(
            "UPDATE res_partner SET phone = NULL, hygiene_phone_key = NULL, "
            "write_date = NOW() AT TIME ZONE 'UTC' WHERE id = ANY(%s)",
            [changed],
        )
        cr.execute(
            """INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id,
                      company_id, date_order, state, amount_total, amount_untaxed, currency_rate,
                      create_uid, write_uid, create_date, write_date)
               SELECT 'BENCHNEW' || p, p, p, p, 1, NOW() AT TIME ZONE 'UTC', 'sale', 50, 50, 1,
                      1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                 FROM unnest(%s::int[]) AS p""",
            [rng.sample(ids, 1000)],
        )
        cr.commit()  # pylint: disable=invalid-commit  (bench database)
        # finding what changed alone (the same method in every version), then the refresh
        from datetime import datetime

        cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        now = cr.fetchone()[0]
        since = datetime.fromisoformat(
            env["ir.config_parameter"].get_param("partner_data_hygiene.control_last_run")
        )
        start = time.perf_counter()
        found = Score._hygiene_changed_partner_ids(since, now)
        figures["changes_s"] = round(time.perf_counter() - start, 1)
        figures["changes_found"] = len(found)
        cr.rollback()
        start = time.perf_counter()
        stats = Score._hygiene_refresh()
        cr.commit()  # pylint: disable=invalid-commit  (bench database)
        figures["incremental_s"] = round(time.perf_counter() - start, 1)
        figures["incremental_partners"] = stats["partners"]
        figures["incremental_rss_mb"] = round(rss_mb())
        start = time.perf_counter()
        stats = Score._hygiene_refresh()
        figures["nothing_changed_s"] = round(time.perf_counter() - start, 1)
        figures["nothing_changed_partners"] = stats["partners"]
        cr.commit()  # pylint: disable=invalid-commit  (bench database)
        user = env["res.users"].search([("login", "=", "bench_hygiene_user")])
        if not user:
            user = env["res.users"].create(
                {
                    "name": "Bench hygiene user",
                    "login": "bench_hygiene_user",
                    "groups_id": [
                        (4, env.ref("base.group_user").id),
                        (4, env.ref("partner_data_hygiene.group_hygiene_user").id),
                    ],
                }
            )
            cr.commit()  # pylint: disable=invalid-commit  (bench database)
        view = env.ref("partner_data_hygiene.hygiene_kpi_dashboard_form")
        Snapshot = env["hygiene.kpi.snapshot"].with_user(user)
        spec = {
            name: {}
            for name, field in Snapshot._fields.items()
            if field.type not in ("one2many", "many2many", "many2one")
        }
        for name in (
            "cause_ids",
            "source_value_ids",
            "consent_value_ids",
            "mailing_value_ids",
            "month_value_ids",
        ):
            spec[name] = (
                {"fields": {"dimension": {}, "value": {}}}
                if name != "cause_ids"
                else {"fields": {"name": {}, "kind": {}, "contacts_delta": {}}}
            )
        durations = []
        for _ in range(5):
            env.invalidate_all()
            start = time.perf_counter()
            action = Snapshot.action_open_dashboard()
            Snapshot.get_views([(view.id, "form")])
            Snapshot.browse(action["res_id"]).web_read(spec)
            durations.append(time.perf_counter() - start)
        figures["dashboard_ms"] = round(statistics.median(durations) * 1000, 1)
        figures["peak_rss_mb"] = round(rss_mb())
    print("FIGURES " + json.dumps(figures), flush=True)


def bench_control(args):
    import odoo
    from odoo.api import Environment

    count = args.count or 1000000
    orders = args.orders or max(1, count // 10)
    template = args.template or "h_ctl"
    db = args.db or f"h_ctl_bench_{count}"
    odoo.sql_db.close_db(template)
    subprocess.run(["dropdb", "--if-exists", db], check=True, capture_output=True)
    subprocess.run(["createdb", "-T", template, db], check=True, capture_output=True)
    print(f"  {db}: loading {count:,} partners and {orders:,} orders", flush=True)
    start = time.perf_counter()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        load(Environment(cr, odoo.SUPERUSER_ID, {}), count, orders)
        cr.execute(
            "DELETE FROM ir_config_parameter WHERE key = 'partner_data_hygiene.control_last_run'"
        )
        cr.commit()  # pylint: disable=invalid-commit  (bench database)
    registry.delete(db)
    odoo.sql_db.close_db(db)
    load_s = time.perf_counter() - start
    print(f"  loaded in {load_s:.0f} s; measuring in a separate process", flush=True)
    anchor = None
    if args.anchor_config:
        # the same base measured with another version of the addon (its own addons path), on a
        # copy taken before this version's update: both figures come from one command
        anchor_db = f"{db}_anchor"
        subprocess.run(["dropdb", "--if-exists", anchor_db], check=True, capture_output=True)
        subprocess.run(["createdb", "-T", db, anchor_db], check=True, capture_output=True)
        print(f"  anchor ({args.anchor_config}) on {anchor_db}: {_uptime()}", flush=True)
        anchor = _measure(anchor_db, args.anchor_config, count)
        subprocess.run(["dropdb", "--if-exists", anchor_db], check=False, capture_output=True)
        _print_figures("anchor", anchor)
        # this version's schema (columns, indexes) on the measured base
        update = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(Path(args.odoo_src) / "odoo-bin"),
                "-c",
                args.config,
                "-d",
                db,
                "-u",
                args.addon,
                "--stop-after-init",
                "--log-level=warn",
            ],
            check=True,
            capture_output=True,
        )
        print(f"  updated {db} in {time.perf_counter() - update:.0f} s", flush=True)
    print(f"  measuring this version on {db}: {_uptime()}", flush=True)
    figures = _measure(db, args.config, count)
    if anchor:
        figures["anchor"] = anchor
    figures.update(
        {
            "bench": "control",
            "partners": count,
            "orders": orders,
            "load_s": round(load_s),
            "target_full_s": 300,
            "target_rss_mb": 1536,
            "target_dashboard_ms": 1000,
        }
    )
    _print_figures("this version", figures)
    if not args.keep:
        subprocess.run(["dropdb", "--if-exists", db], check=False, capture_output=True)
    return figures


def _uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _measure(db, config, count):
    """Run the worker on ``db`` with ``config`` (its addons path) in a separate process."""
    result = subprocess.run(
        [sys.executable, __file__, "--worker", db, config, str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("FIGURES "))
    figures = json.loads(line[len("FIGURES ") :])
    figures["load_after"] = _uptime()
    return figures


def _print_figures(label, figures):
    print(
        f"  [{label}] load: {figures['load_after']}\n"
        f"  full recompute of {figures['full_partners']:,} contacts ({figures['rfm_customers']:,} "
        f"customers in the RFM): {figures['full_s']} s (target < 300 s), peak RSS "
        f"{figures['peak_rss_mb']} MB (target < 1536 MB)\n"
        f"  snapshot: {figures['snapshot_s']} s; incremental after 1 % changed + 1,000 orders: "
        f"{figures['incremental_partners']:,} contacts in {figures['incremental_s']} s (finding "
        f"them: {figures['changes_s']} s); nothing "
        f"changed: {figures['nothing_changed_s']} s\n"
        f"  dashboard opened: {figures['dashboard_ms']} ms (target < 1000 ms)",
        flush=True,
    )


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--worker":
    sys.path.insert(0, str(HERE))
    worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
