"""Screenshots of every screen of the addon, for the role that uses it, at 1440 and 390 px wide.

    # a database with the addon and its demo data, served on a port (./dev run does both)
    .venv/bin/python bench/screenshots.py --config .dev/odoo.conf --db hygiene_demo \\
        --url http://127.0.0.1:8069 --out /tmp/shots [--prepare] [--only dashboard] [--lang fr]

``--prepare`` first adds, once, what the screens need to show something (French users, a portal
customer, imports at each stage, a merge, an anonymised contact, privacy requests, a breach, two
snapshots, a "check your details" link...) in the database, in-process. Then headless Chromium
(Debian's ``chromium``) opens each screen logged in as its role, through the DevTools protocol,
and saves ``<nn>_<screen>_<lang>_<width>.png``. Not a test: it takes pictures to look at.
"""

import argparse
import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

WIDTHS = (1440, 390)
HEIGHT = {1440: 900, 390: 844}
DETAILS_TOKEN = "screenshotDetails" + "z" * 26  # 43 characters, as the mailed links
PASSWORDS = {"admin": "admin", "steward": "steward", "dpo": "dpo", "sales": "sales"}
MARK = "partner_data_hygiene.screenshots_prepared"

# (name, role, steps, in French too): a step is ("url", path), ("do", xml id of an action
# run by the web client), ("call", model, method, record) for a button (header buttons sit in a
# menu on a phone), ("click", css selector) or ("wait", css selector); the role's French
# twin is "<role>_fr". Records are named by "{ref:...}" placeholders filled from the database.
A = "/odoo/action-partner_data_hygiene."
SCREENS = [
    ("duplicates_list", "steward", [("url", A + "hygiene_duplicate_group_action")], True),
    ("duplicate_form", "steward", [("url", A + "hygiene_duplicate_group_action/{group}")], True),
    (
        "duplicate_compare_wizard",
        "steward",
        [
            ("url", A + "hygiene_duplicate_group_action/{group}"),
            ("call", "hygiene.duplicate.group", "action_compare_merge", "group"),
            ("wait", ".modal .o_form_view"),
        ],
        True,
    ),
    (
        "merge_above_wizard",
        "steward",
        [
            ("url", A + "hygiene_duplicate_group_action"),
            ("do", "partner_data_hygiene.hygiene_duplicate_merge_wizard_action"),
            ("wait", ".modal .o_form_view"),
        ],
        True,
    ),
    ("imports_list", "steward", [("url", A + "hygiene_import_batch_action")], True),
    ("import_draft", "steward", [("url", A + "hygiene_import_batch_action/{batch_draft}")], True),
    (
        "import_staged_report",
        "steward",
        [("url", A + "hygiene_import_batch_action/{batch_staged}")],
        True,
    ),
    (
        "import_done_report",
        "steward",
        [("url", A + "hygiene_import_batch_action/{batch_done}")],
        True,
    ),
    (
        "import_lines",
        "steward",
        [
            ("url", A + "hygiene_import_batch_action/{batch_staged}"),
            ("call", "hygiene.import.batch", "action_view_lines", "batch_staged"),
            ("wait", ".o_list_view"),
        ],
        True,
    ),
    ("merge_journal_list", "steward", [("url", A + "hygiene_merge_journal_action")], True),
    ("merge_journal_form", "steward", [("url", A + "hygiene_merge_journal_action/{merge}")], True),
    ("contacts_by_source", "steward", [("url", A + "hygiene_partner_action")], True),
    ("origins", "steward", [("url", A + "hygiene_partner_origin_action")], True),
    ("details_checks", "steward", [("url", A + "hygiene_details_request_action")], True),
    (
        "details_check_form",
        "steward",
        [("url", A + "hygiene_details_request_action/{details_answered}")],
        True,
    ),
    ("corrections_to_review", "steward", [("url", A + "hygiene_details_proposal_action")], True),
    ("current_consents", "steward", [("url", A + "hygiene_consent_state_action")], True),
    ("consent_ledger", "steward", [("url", A + "hygiene_consent_action")], True),
    ("retention_policies", "dpo", [("url", A + "hygiene_retention_policy_action")], True),
    (
        "retention_policy_form",
        "dpo",
        [("url", A + "hygiene_retention_policy_action/{policy}")],
        True,
    ),
    (
        "retention_preview",
        "dpo",
        [
            ("url", A + "hygiene_journal_action"),
            ("do", "partner_data_hygiene.hygiene_retention_preview_action"),
            ("wait", ".modal .o_form_view"),
        ],
        True,
    ),
    (
        "unclassified",
        "dpo",
        [
            ("url", A + "hygiene_journal_action"),
            ("do", "partner_data_hygiene.hygiene_unclassified_partner_server_action"),
            ("wait", ".o_list_view, .o_view_nocontent"),
        ],
        True,
    ),
    ("retention_due", "dpo", [("url", A + "hygiene_retention_due_partner_action")], True),
    ("repermission", "dpo", [("url", A + "hygiene_repermission_action")], True),
    (
        "suppression_lookup",
        "dpo",
        [
            ("url", A + "hygiene_journal_action"),
            ("do", "partner_data_hygiene.hygiene_suppression_lookup_action"),
            ("wait", ".modal .o_form_view"),
        ],
        True,
    ),
    ("operations_journal", "dpo", [("url", A + "hygiene_journal_action")], True),
    ("operations_journal_form", "dpo", [("url", A + "hygiene_journal_action/{journal}")], True),
    ("privacy_requests", "dpo", [("url", A + "hygiene_privacy_request_action")], True),
    (
        "privacy_request_form",
        "dpo",
        [("url", A + "hygiene_privacy_request_action/{privacy_request}")],
        True,
    ),
    ("overdue_requests", "dpo", [("url", A + "hygiene_privacy_request_overdue_action")], True),
    ("record_of_processing", "dpo", [("url", A + "hygiene_processing_activity_action")], True),
    (
        "processing_activity_form",
        "dpo",
        [("url", A + "hygiene_processing_activity_action/{processing}")],
        True,
    ),
    ("breaches", "dpo", [("url", A + "hygiene_breach_action")], True),
    ("breach_form", "dpo", [("url", A + "hygiene_breach_action/{breach}")], True),
    ("exports_of_contacts", "dpo", [("url", A + "hygiene_export_log_action")], True),
    ("mailing_consents", "dpo", [("url", A + "hygiene_mailing_consent_action")], True),
    ("dashboard", "steward", [("url", A + "hygiene_dashboard_server_action")], True),
    ("quality_over_time", "steward", [("url", A + "hygiene_kpi_value_action")], True),
    ("snapshots", "steward", [("url", A + "hygiene_kpi_snapshot_action")], True),
    ("quality_scores", "steward", [("url", A + "hygiene_partner_score_action")], True),
    ("quality_score_form", "steward", [("url", A + "hygiene_partner_score_action/{score}")], True),
    ("rfm_segments", "steward", [("url", A + "hygiene_rfm_action")], True),
    ("rfm_movements", "steward", [("url", A + "hygiene_rfm_history_action")], True),
    ("segments", "steward", [("url", A + "hygiene_segment_action")], True),
    ("segment_form", "steward", [("url", A + "hygiene_segment_action/{segment}")], True),
    ("segment_log", "steward", [("url", A + "hygiene_segment_log_action")], True),
    ("unsubscribes", "steward", [("url", A + "hygiene_optout_action")], True),
    ("sources", "steward", [("url", A + "hygiene_source_action")], True),
    ("source_form", "steward", [("url", A + "hygiene_source_action/{source}")], True),
    ("purposes", "steward", [("url", A + "hygiene_purpose_action")], True),
    ("import_presets", "steward", [("url", A + "hygiene_import_preset_action")], True),
    (
        "settings",
        "admin",
        [("url", "/odoo/action-partner_data_hygiene.hygiene_settings_action")],
        True,
    ),
    (
        "contact_privacy_tab",
        "sales",
        [
            ("url", A + "hygiene_partner_action/{contact}"),
            ("click", ".o_notebook .nav-link[name=hygiene_privacy]"),
        ],
        True,
    ),
    (
        "record_consent_wizard",
        "sales",
        [
            ("url", A + "hygiene_partner_action/{contact}"),
            ("call", "res.partner", "action_hygiene_record_consent", "contact"),
            ("wait", ".modal .o_form_view"),
        ],
        True,
    ),
    (
        "contact_duplicate_warning",
        "sales",
        [("url", A + "hygiene_partner_action/{duplicate}")],
        True,
    ),
    ("anonymised_contact", "dpo", [("url", A + "hygiene_partner_action/{anonymised}")], True),
    ("portal_my_privacy", "portal", [("url", "/my/privacy")], True),
    ("portal_erase_preview", "portal", [("url", "/my/privacy/erase")], True),
    ("details_check_page", "portal", [("url", "/hygiene/details/" + DETAILS_TOKEN)], True),
    ("public_request_form", "public", [("url", "/privacy/request")], False),
]


# ---------------------------------------------------------------------- the data


def registry_of(config, db, odoo_src):
    """The database's registry, Odoo configured once from ``config``."""
    sys.path.insert(0, odoo_src)
    import odoo

    if not getattr(registry_of, "configured", False):
        odoo.tools.config.parse_config(["-c", config, "-d", db])
        registry_of.configured = True
    return odoo.modules.registry.Registry(db)


def _activate_french(env):
    """French active, and on the websites: with website installed, a portal page is said in
    the website's languages only (the French portal customer read English pages)."""
    french = env["res.lang"]._activate_lang("fr_FR")
    if "website" in env:
        for website in env["website"].search([]):
            website.language_ids |= french


def prepare(config, db, odoo_src):
    """Add, once, what the screens show (in-process, committed)."""
    registry = registry_of(config, db, odoo_src)
    from odoo import SUPERUSER_ID, api, fields

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if env["ir.config_parameter"].get_param(MARK):
            return
        _activate_french(env)
        # French for every installed module (as Settings > Languages does), not only the addon
        installed = env["ir.module.module"].search([("state", "=", "installed")])
        env["ir.module.module"]._load_module_terms(installed.mapped("name"), ["fr_FR"])
        env.company.country_id = env.ref("base.fr")
        Users = env["res.users"].with_context(no_reset_password=True)
        for login in ("steward", "dpo", "sales"):
            user = env["res.users"].search([("login", "=", login)])
            user.copy({"login": f"{login}_fr", "name": f"{user.name} (FR)", "lang": "fr_FR"})
        admin_fr = env.ref("base.user_admin").copy({"login": "admin_fr", "lang": "fr_FR"})
        for login in ("steward_fr", "dpo_fr", "sales_fr"):
            env["res.users"].search([("login", "=", login)]).password = login
        admin_fr.password = "admin_fr"
        for login, lang in (("portal", "en_US"), ("portal_fr", "fr_FR")):
            existing = Users.search([("login", "=", login)])  # the demo data's portal user
            if existing:
                existing.password = login
                continue
            Users.create(
                {
                    "login": login,
                    "password": login,
                    "name": "Paula Portail" if lang == "fr_FR" else "Paula Portal",
                    "email": f"{login}@example.fr",
                    "lang": lang,
                    "groups_id": [fields.Command.set([env.ref("base.group_portal").id])],
                }
            )
        Partner = env["res.partner"]
        Group = env["hygiene.duplicate.group"]
        Group._hygiene_scan()
        group = Group.search([("state", "=", "pending")], limit=1, order="score desc")
        # a merge, then the scan again so that groups are left to review
        merged = Group.search([("state", "=", "pending"), ("id", "!=", group.id)], limit=1)
        if merged:
            merged.action_merge()
        # imports: draft, staged, committed
        source = env.ref("partner_data_hygiene.source_shop")
        rows = (
            "Nom complet;Courriel;Téléphone;Date optin\n"
            "Anne Petit;anne.petit@example.fr;06 12 34 56 79;12/03/2021\n"
            "Paul Durand;paul durand@example.fr;12 34;\n"
            "Léa Roux;lea.roux@example.fr;;12/03/2099\n"
            "Anne Petit;anne.petit@example.fr;;\n"
        )
        batches = {}
        for stage in ("draft", "staged", "done"):
            batch = env["hygiene.import.batch"].create(
                {
                    "raw_file": base64.b64encode(rows.encode()),
                    "raw_filename": f"salon-{stage}.csv",
                    "source_id": source.id,
                }
            )
            batch.action_read_file()
            if stage != "draft":
                batch.action_stage()
            if stage == "done":
                batch.action_commit_notify()
            batches[stage] = batch
        # an anonymised contact
        anonymised = Partner.create({"name": "Octave Anonymisable", "email": "octave@example.fr"})
        anonymised._hygiene_retention_execute("anonymize")
        # privacy requests, a breach
        person = Partner.search([("email", "!=", False), ("is_company", "=", False)], limit=1)
        Request = env["hygiene.privacy.request"]
        Request.create({"request_type": "access", "partner_id": person.id, "state": "new"})
        Request.create(
            {
                "request_type": "erasure",
                "requester_email": "someone@example.fr",
                "channel": "web_form",
                "state": "identity",
            }
        )
        Request.create(
            {
                "request_type": "rectification",
                "partner_id": person.id,
                "received_date": fields.Date.today() - __import__("datetime").timedelta(days=45),
            }
        )
        env["hygiene.breach"].create(
            {"name": "Lost laptop with the 2021 fair file", "import_batch_ids": batches["done"].ids}
        )
        # two snapshots, scores and segments
        first = env["hygiene.kpi.snapshot"]._hygiene_take("manual")
        cr.execute(
            "UPDATE hygiene_kpi_snapshot SET date = date - interval '1 day' WHERE id IN %s",
            [tuple(first.ids)],
        )
        # its values too (their stored related date), else "quality over time" has one day
        cr.execute(
            "UPDATE hygiene_kpi_value SET date = date - interval '1 day' WHERE snapshot_id IN %s",
            [tuple(first.ids)],
        )
        env["hygiene.partner.score"]._hygiene_refresh(full=True)
        env["hygiene.segment"].search([])._hygiene_refresh()
        env.invalidate_all()
        env["hygiene.kpi.snapshot"]._hygiene_take("manual")
        # "check your details": a link for the portal customer, an answer to review
        Details = env["hygiene.details.request"]
        expiry = fields.Datetime.now() + __import__("datetime").timedelta(days=30)
        for login in ("portal", "portal_fr"):
            partner = env["res.users"].search([("login", "=", login)]).partner_id
            partner.write({"street": "3 rue des Lilas", "zip": "75011", "city": "Paris"})
        portal_partner = env["res.users"].search([("login", "=", "portal")]).partner_id
        token_hash = hashlib.sha256(DETAILS_TOKEN.encode()).hexdigest()
        Details.create(
            {"partner_id": portal_partner.id, "token_hash": token_hash, "expiry_date": expiry}
        )
        answered = Details.create({"partner_id": person.id, "expiry_date": expiry})
        answered._hygiene_answer({"street": "2 rue Neuve", "mobile": "06 11 22 33 55"})
        env["ir.config_parameter"].set_param(MARK, "1")
    # the server already running forgets its caches (French not active, views untranslated)
    registry.clear_all_caches()
    registry.signal_changes()


def references(config, db, odoo_src):
    """The ids the screens' addresses name."""
    registry = registry_of(config, db, odoo_src)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})

        def first(model, domain=(), order=None):
            return (
                env[model]
                .with_context(active_test=False)
                .search(list(domain), limit=1, order=order)
                .id
            )

        Batch = "hygiene.import.batch"
        duplicate = env["hygiene.duplicate.group"].search([("state", "=", "pending")], limit=1)
        return {
            "group": duplicate.id,
            "duplicate": duplicate.partner_ids[:1].id,
            "batch_draft": first(Batch, [("state", "=", "draft")], "id desc"),
            "batch_staged": first(Batch, [("state", "=", "review")], "id desc")
            or first(Batch, [("state", "not in", ("draft", "done", "cancelled"))], "id desc"),
            "batch_done": first(Batch, [("state", "=", "done")], "id desc"),
            "merge": first("hygiene.merge.journal"),
            "details_answered": first("hygiene.details.request", [("state", "=", "corrected")]),
            "policy": first("hygiene.retention.policy"),
            "journal": first("hygiene.journal"),
            "privacy_request": first("hygiene.privacy.request", [("state", "=", "new")]),
            "processing": first("hygiene.processing.activity"),
            "breach": first("hygiene.breach"),
            "score": first("hygiene.partner.score", [], "quality_score asc"),
            "segment": first("hygiene.segment"),
            "source": first("hygiene.source"),
            "contact": first(
                "res.partner",
                [("hygiene_consent_ids", "!=", False), ("is_company", "=", False)],
            ),
            "anonymised": first("res.partner", [("hygiene_retention_state", "=", "anonymized")]),
        }


# ---------------------------------------------------------------------- the browser


class Browser:
    """Headless Chromium driven through the DevTools protocol (websocket-client, an Odoo
    requirement)."""

    def __init__(self):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="hygiene-shots-")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [
                shutil.which("chromium") or "/usr/bin/chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for __ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as reply:
                    pages = [t for t in json.load(reply) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        self.socket = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)
        self.ids = 0
        self.send("Page.enable")
        self.send("Network.enable")

    def send(self, method, **params):
        self.ids += 1
        self.socket.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.ids:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            print("  script error:", details.get("exception", {}).get("description") or details)
        return result.get("result", {}).get("value")

    def wait(self, selector, timeout=12):
        """Until ``selector`` is there and the web client is idle (no loading indicator, no
        blocking UI)."""
        script = (
            f"!!document.querySelector({json.dumps(selector)}) && "
            "!document.querySelector('.o_loading_indicator, .o_blockUI')"
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(script):
                time.sleep(0.6)  # animations (dialogs, notifications) end
                return True
            time.sleep(0.2)
        return False

    def close(self):
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


READY = (
    ".o_action_manager .o_view_controller, .o_action_manager .o_setting_container, "
    ".o_portal_wrap, #wrapwrap main, .o_hygiene_details_check"
)


def session(url, db, login, password):
    """A session id for ``login`` (JSON-RPC authenticate)."""
    payload = json.dumps(
        {"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}}
    ).encode()
    request = urllib.request.Request(
        f"{url}/web/session/authenticate", payload, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as reply:
        if json.load(reply).get("error"):
            raise RuntimeError(f"cannot log in as {login}")
        cookie = reply.headers.get("Set-Cookie", "")
    return cookie.split("session_id=", 1)[1].split(";", 1)[0]


def run_steps(browser, steps, url, refs):
    """Play the steps of a screen; False when a screen did not become ready."""
    ok = True
    for kind, value, *more in steps:
        if kind == "call":
            model, method, ref = value, *more
            browser.evaluate(
                "(async () => { const env = odoo.__WOWL_DEBUG__.root.env; const action = await "
                f"env.services.orm.call({json.dumps(model)}, {json.dumps(method)}, "
                f"[[{int(refs[ref])}]]); action.views = action.views || "
                "action.view_mode.split(',').map((mode) => [false, mode]); "
                "await env.services.action.doAction(action); "
                "return true; })()"
            )
        elif kind == "url":
            browser.send("Page.navigate", url=url + value.format(**refs))
            time.sleep(0.5)
            ok = browser.wait(READY) and ok
        elif kind == "do":
            browser.evaluate(
                "odoo.__WOWL_DEBUG__.root.env.services.action"
                f".doAction({json.dumps(value)}).then(() => true)"
            )
        elif kind == "click":
            ok = browser.wait(value) and ok
            # clicked, and scrolled to (a tab below the fold on a phone)
            browser.evaluate(
                f"(() => {{ const el = document.querySelector({json.dumps(value)}); el.click(); "
                "el.scrollIntoView({block: 'start'}); return true; })()"
            )
            time.sleep(0.5)
        elif kind == "wait":
            ok = browser.wait(value) and ok
    return ok


def login_as(browser, args, sessions, login):
    browser.send("Network.clearBrowserCookies")
    if not login:
        return
    if login not in sessions:
        sessions[login] = session(args.url, args.db, login, PASSWORDS.get(login, login))
    browser.send("Network.setCookie", name="session_id", value=sessions[login], url=args.url)


def shoot(args, refs):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    sessions = {}
    taken = []
    try:
        for number, (name, role, steps, french) in enumerate(SCREENS, 1):
            if args.only and not any(part in name for part in args.only.split(",")):
                continue
            for lang in args.lang.split(","):
                if lang == "fr" and not french:
                    continue
                login = None if role == "public" else role if lang == "en" else f"{role}_fr"
                login_as(browser, args, sessions, login)
                for width in WIDTHS:
                    browser.send(
                        "Emulation.setDeviceMetricsOverride",
                        width=width,
                        height=HEIGHT[width],
                        deviceScaleFactor=1,
                        mobile=width < 768,
                    )
                    ok = run_steps(browser, steps, args.url, refs)
                    browser.wait("body")
                    image = browser.send("Page.captureScreenshot", format="png")
                    path = out / f"{number:02d}_{name}_{lang}_{width}.png"
                    path.write_bytes(base64.b64decode(image["data"]))
                    taken.append(path)
                    print(f"{path.name}{'' if ok else '  (not ready: look at it)'}", flush=True)
    finally:
        browser.close()
    return taken


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--odoo-src", default=os.environ.get("ODOO_SRC", "/opt/odoo"))
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--only", help="comma-separated parts of screen names")
    parser.add_argument("--lang", default="en,fr")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.config, args.db, args.odoo_src)
    refs = references(args.config, args.db, args.odoo_src)
    shoot(args, refs)


if __name__ == "__main__":
    main()
