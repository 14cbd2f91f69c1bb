"""Tours per role (static/tests/tours/screens_tour.js): a data steward, a privacy officer, a
manager and a sales user (and the administrator for the settings) click every button of every
screen of the addon, in English and in French; a portal customer clicks every button of
/my/privacy and of the "check your details" page, and a visitor without an account those of the
public request form. A client error or a server traceback fails the tour.
``TestButtonInventory`` reads views/*.xml and wizards/*.xml: a button or a menu without a tour
step fails it."""

import base64
import hashlib
import logging
import re
from datetime import timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.tests import BaseCase, HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

_logger = logging.getLogger(__name__)
ADDON = Path(__file__).resolve().parent.parent
TOURS_JS = ADDON / "static" / "tests" / "tours" / "screens_tour.js"
EMPLOYEE = "base.group_user,base.group_partner_manager"

# tour -> the role it runs as (the login prepared by TestScreensTours)
TOUR_ROLES = {
    "partner_data_hygiene_steward_duplicates": "steward",
    "partner_data_hygiene_steward_import": "steward",
    "partner_data_hygiene_steward_screens": "steward",
    "partner_data_hygiene_officer": "officer",
    "partner_data_hygiene_officer_contact": "officer",
    "partner_data_hygiene_manager": "manager",
    "partner_data_hygiene_manager_contact": "manager",
    "partner_data_hygiene_admin_settings": "admin",
    "partner_data_hygiene_sales_user": "sales",
    "partner_data_hygiene_steward_control": "steward",
    "partner_data_hygiene_officer_privacy": "officer",
    "partner_data_hygiene_portal": "portal",
    "partner_data_hygiene_public": "public",
    "partner_data_hygiene_steward_phone": "steward",
}
# the roles of the website pages (templates): they click only the buttons of the templates
WEB_ROLES = {"portal", "public"}
# buttons of the addon no tour of the back office can click, and why
NOT_IN_A_TOUR = {
    "repermission_page:answer": "the public re-permission page (a link sent by "
    "mail, no login): tests/test_repermission.py posts its answers",
}
# screens merged from other branches whose tour steps are still to write: their buttons without a
# step are listed in the log, not failed, until a tour covers them (empty: every screen is toured)
TOURS_PENDING_FILES = set()
# the "check your details" links the portal tour opens (the test stores their hashes, as a mail
# would carry them): one to correct, one to confirm
DETAILS_TOKENS = {"correct": "tourCorrect" + "x" * 32, "confirm": "tourConfirm" + "y" * 32}
# the pairs the duplicate tour reviews: one per button of the duplicate screens
PAIRS = (
    ("Zéphyrin Tourmaline", "zephyrin.tourmaline", "06 98 76 54 31"),
    ("Bérénice Quartzite", "berenice.quartzite", "06 98 76 54 32"),
    ("Capucine Obsidienne", "capucine.obsidienne", "06 98 76 54 33"),
    ("Dorothée Malachite", "dorothee.malachite", "06 98 76 54 34"),
    ("Eugène Jaspe", "eugene.jaspe", "06 98 76 54 35"),
)


def button_inventory():
    """``{key: (file, groups, kind)}`` for every button of the views and website templates of
    the addon and every menu with an action (``kind``: ``"web"`` for a template's, else
    ``"back"``); the keys are those of the tour steps: ``<view or template id>:<name>``
    (``<name>#2`` for a second button of the same name in a view, ``cancel`` for a
    ``special="cancel"`` one, the action's id for an action button, ``button`` for a nameless
    submit button of a template) and ``menu:<menu id>``."""
    inventory = {}
    for path in sorted([*ADDON.glob("views/*.xml"), *ADDON.glob("wizards/*.xml")]):
        root = etree.parse(str(path)).getroot()
        for record in root.iter("record", "template"):
            record_id = record.get("id").split(".")[-1]
            if record.tag != "template" and record.get("model") != "ir.ui.view":
                continue
            kind = "web" if record.tag == "template" else "back"
            seen = {}
            for node in record.iter("button"):
                name = (
                    node.get("name")
                    or node.get("special")
                    or node.get("string")
                    or node.get("icon")
                    or "button"
                )
                match = re.fullmatch(r"%\(([\w.]+)\)d", name)
                name = match.group(1).split(".")[-1] if match else name
                seen[name] = seen.get(name, 0) + 1
                key = f"{record_id}:{name}" + (f"#{seen[name]}" if seen[name] > 1 else "")
                groups = [element.get("groups") for element in node.iterancestors()]
                groups = ",".join(filter(None, [node.get("groups"), *groups]))
                inventory[key] = (path.name, groups, kind)
        for menu in root.iter("menuitem"):
            if menu.get("action"):
                inventory[f"menu:{menu.get('id')}"] = (path.name, menu.get("groups") or "", "back")
    return inventory


def tour_steps():
    """``{tour: set of keys}`` clicked by each tour of screens_tour.js."""
    text = TOURS_JS.read_text(encoding="utf-8")
    steps = {}
    for chunk in text.split('tours.add("')[1:]:
        tour, body = chunk.split('"', 1)
        keys = set(re.findall(r'\bbutton\(\s*"([^"]+)"', body))
        keys |= {
            f"menu:{item}" for item in re.findall(r'\bopenMenu\(\s*"[\w]+",\s*"([\w]+)"\s*\)', body)
        }
        steps[tour] = keys
    return steps


class TestButtonInventory(BaseCase):
    """Every button and menu of the addon has a step in a tour (no database needed)."""

    def test_every_button_and_menu_has_a_tour_step(self):
        inventory = button_inventory()
        steps = tour_steps()
        self.assertGreater(len(inventory), 40, "the inventory reads the views")
        self.assertEqual(set(steps), set(TOUR_ROLES), "every tour runs as a role, and only those")
        clicked = {key.split("#again")[0] for keys in steps.values() for key in keys}
        missing = sorted(set(inventory) - clicked - set(NOT_IN_A_TOUR))
        pending = [key for key in missing if inventory[key][0] in TOURS_PENDING_FILES]
        if pending:
            _logger.info("buttons and menus without a tour step yet: %s", ", ".join(pending))
        missing = [key for key in missing if key not in pending]
        self.assertFalse(
            missing,
            "buttons or menus without a tour step (add one to screens_tour.js):\n"
            + "\n".join(f"{key} ({inventory[key][0]})" for key in missing),
        )
        stale = sorted(clicked - set(inventory))
        self.assertFalse(stale, f"tour steps naming no button of the views: {stale}")
        self.assertFalse(set(NOT_IN_A_TOUR) - set(inventory), "an exception left for nothing")

    def test_each_role_clicks_only_what_its_groups_show(self):
        """The steps are given to the lowest role that sees the button: a steward's tour never
        clicks an officer's button, a sales user's tour never a steward's."""
        ladder = ["sales", "steward", "officer", "manager", "admin"]
        group_rank = {
            "partner_data_hygiene.group_hygiene_user": 0,
            "group_hygiene_user": 0,
            "partner_data_hygiene.group_hygiene_steward": 1,
            "group_hygiene_steward": 1,
            "partner_data_hygiene.group_hygiene_officer": 2,
            "group_hygiene_officer": 2,
            "partner_data_hygiene.group_hygiene_manager": 3,
            "base.group_system": 4,
        }
        inventory = button_inventory()
        for tour, keys in tour_steps().items():
            kinds = {inventory.get(key.split("#again")[0], ("", "", "?"))[2] for key in keys}
            if TOUR_ROLES[tour] in WEB_ROLES:
                self.assertEqual(kinds, {"web"}, f"{tour} clicks only the website's buttons")
                continue
            self.assertNotIn("web", kinds, f"{tour}: a website button in a back-office tour")
            rank = ladder.index(TOUR_ROLES[tour])
            for key in keys:
                groups = inventory.get(key.split("#again")[0], ("", "", ""))[1]
                needed = max((group_rank.get(g, 0) for g in groups.split(",") if g), default=0)
                self.assertLessEqual(needed, rank, f"{tour} clicks {key} ({groups})")


@tagged("post_install", "-at_install")
class TestScreensTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.fr")
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        roles = {
            "steward": "group_hygiene_steward",
            "officer": "group_hygiene_officer",
            "manager": "group_hygiene_manager",
            "sales": "group_hygiene_user",
        }
        cls.users = {
            role: mail_new_test_user(
                cls.env,
                login=f"tour_{role}",
                name=f"Tour {role.title()}",
                groups=f"{EMPLOYEE},partner_data_hygiene.{group}",
            )
            for role, group in roles.items()
        }
        cls.users["admin"] = cls.env.ref("base.user_admin")
        cls.users["portal"] = mail_new_test_user(
            cls.env,
            login="tour_portal",
            name="Tour Portal",
            email="tour.portal@example.fr",
            groups="base.group_portal",
        )
        cls.users["public"] = cls.env.ref("base.public_user")
        # the bundles are built before the first page: on a busy machine building them made
        # the browser's first navigation time out
        for bundle in ("web.assets_web", "web.assets_tests"):
            assets = cls.env["ir.qweb"]._get_asset_bundle(bundle)
            assets.js()
            assets.css()
        Partner = cls.env["res.partner"]
        cls.pairs = Partner.create(
            [
                {
                    "name": variant,
                    "email": f"{email}@example.fr" if upper else f"{email.title()}@example.fr",
                    "phone": phone if upper else "+33 " + phone[1:],
                    "zip": "75011",
                }
                for name, email, phone in PAIRS
                for upper, variant in ((True, name), (False, name.upper()))
            ]
        )
        # a policy for the officer to activate, preview and apply now: two prospects are due
        cls.env["ir.config_parameter"].sudo().set_param(
            "partner_data_hygiene.retention_safety_valve_percent", "100"
        )
        prospects = Partner.create(
            [{"name": f"Tour Prospect {i}", "ref": f"TOUR-{i}"} for i in range(2)]
        )
        old = fields.Datetime.now() - relativedelta(months=40)
        Partner._hygiene_register_activities([(p.id, old, "history") for p in prospects])
        cls.env["hygiene.retention.policy"].create(
            {
                "name": "Tour Prospects",
                "domain": "[('ref', '=like', 'TOUR-%')]",
                "duration_months": 36,
                "end_action": "archive",
                "active": False,
                "sequence": 1,
            }
        )
        cls.to_anonymise, cls.to_erase = Partner.create(
            [
                {"name": "Octave Anonymisable", "email": "octave@example.fr", "zip": "69001"},
                {"name": "Ernestine Effaçable", "email": "ernestine@example.fr", "zip": "13001"},
            ]
        )
        cls._control_and_privacy_records()

    @classmethod
    def _control_and_privacy_records(cls):
        """What the tours of the control, privacy and portal screens act on."""
        Partner = cls.env["res.partner"]
        # the "before" snapshot of the dashboard: the tours' imports and merges come after it
        before = cls.env["hygiene.kpi.snapshot"].sudo()._hygiene_take("manual")
        cls.env.cr.execute(
            "UPDATE hygiene_kpi_snapshot SET date = date - interval '1 hour' WHERE id IN %s",
            [tuple(before.ids)],
        )
        before.invalidate_recordset(["date"])
        # data-subject requests for the officer: one to answer, one whose identity is to check
        # (then refused), one overdue (cancelled)
        people = Partner.create(
            [
                {"name": f"Tour {name} Person", "email": f"tour.{name.lower()}@example.fr"}
                for name in ("Access", "Identity", "Late")
            ]
        )
        today = fields.Date.today()
        cls.env["hygiene.privacy.request"].sudo().create(
            [
                {"request_type": "access", "partner_id": people[0].id, "state": "new"},
                {"request_type": "erasure", "partner_id": people[1].id, "state": "identity"},
                {
                    "request_type": "rectification",
                    "partner_id": people[2].id,
                    "state": "new",
                    "received_date": today - relativedelta(months=2),
                },
            ]
        )
        # a request from a visitor without an account, to confirm by the mailed link
        cls.public_request = (
            cls.env["hygiene.privacy.request"]
            .sudo()
            .create(
                {
                    "request_type": "access",
                    "channel": "web_form",
                    "requester_email": "visitor@example.fr",
                    "state": "identity",
                }
            )
        )
        cls.public_token = cls.public_request._hygiene_new_confirm_token()
        # a breach whose leaked file holds the address of a contact
        cls.env["hygiene.breach"].sudo().create(
            {
                "name": "Tour Lost Laptop",
                "leaked_file": base64.b64encode(b"zephyrin.tourmaline@example.fr;x\n"),
                "leaked_filename": "leak.csv",
            }
        )
        # "check your details": two links for the portal customer's tour (as the mail would
        # carry them), two answers with corrections for the steward to review
        Details = cls.env["hygiene.details.request"].sudo()
        expiry = fields.Datetime.now() + timedelta(days=30)
        checked = Partner.create(
            [
                {"name": f"Tour {name}", "email": f"{name.lower()}@example.fr", "city": "Lyon"}
                for name in ("Checked", "Confirmed", "Aubepine", "Bergamote", "Cassis")
            ]
        )
        for partner, token in zip(checked, DETAILS_TOKENS.values(), strict=False):
            Details.create(
                {
                    "partner_id": partner.id,
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "expiry_date": expiry,
                }
            )
        for partner in checked[2:]:
            request = Details.create({"partner_id": partner.id, "expiry_date": expiry})
            request._hygiene_answer({"street": "2 rue Neuve", "mobile": "06 11 22 33 55"})

    def _run(self, url, tour, lang):
        role = TOUR_ROLES[tour]
        user = self.users[role]
        user.sudo().lang = lang
        errors = []

        class Collect(logging.Handler):
            def emit(self, record):
                errors.append(self.format(record))

        handler = Collect(logging.ERROR)
        logging.getLogger("odoo").addHandler(handler)
        try:
            login = None if role == "public" else user.login
            self.start_tour(url, tour, login=login, timeout=120)
        finally:
            logging.getLogger("odoo").removeHandler(handler)
        self.assertFalse(errors, f"server errors during {tour}: {errors}")

    def _batch(self, lang, name):
        return self.env["hygiene.import.batch"].create(
            {
                "raw_file": base64.b64encode(
                    (
                        "Nom complet;Courriel;Téléphone\n"
                        "Anne Tourmaline;anne.tourmaline@example.fr;06 11 22 33 44\n"
                        "Paul Tourmaline;paul tourmaline@example.fr;12 34\n"
                        "Léon Tourmaline;leon.tourmaline@example.fr;\n"
                    ).encode()
                ),
                "raw_filename": f"tour-{name}-{lang}.csv",
                "source_id": self.env.ref("partner_data_hygiene.source_shop").id,
            }
        )

    def _tours(self, lang):
        # the portal customer and the visitor first: the back-office tours' merges and
        # erasures cannot reach their records
        self._run(
            "/hygiene/details/" + DETAILS_TOKENS["correct"],
            "partner_data_hygiene_portal",
            lang,
        )
        self._check_portal()
        self._run(
            f"/privacy/request/{self.public_request.id}/{self.public_token}",
            "partner_data_hygiene_public",
            lang,
        )
        self.assertEqual(self.public_request.state, "new", "confirmed by the mailed link")
        self.assertTrue(
            self.env["hygiene.privacy.request"]
            .sudo()
            .search([("requester_email", "=", "tour.visitor@example.fr")]),
            "the public form's request is recorded",
        )
        Group = self.env["hygiene.duplicate.group"]
        # a demo database has duplicates of its own: set them aside ("not duplicates" is
        # remembered), so that the tour's scans and merge wizard handle the tour's pairs only
        Group._hygiene_scan()
        Group.search(
            [("state", "=", "pending"), ("partner_ids", "not in", self.pairs.ids)]
        ).action_not_duplicates()
        Group.search([("state", "=", "pending")]).unlink()
        self._run(
            "/odoo/action-partner_data_hygiene.hygiene_duplicate_group_action",
            "partner_data_hygiene_steward_duplicates",
            lang,
        )
        groups = self.env["hygiene.duplicate.group"].search([("partner_ids", "in", self.pairs.ids)])
        self.assertEqual(
            sorted(groups.mapped("state")),
            ["ignored", "ignored", "merged", "merged", "pending"],
            "not duplicates twice, merged twice (one undone: back to review)",
        )
        batch = self._batch(lang, "commit")
        cancelled = self._batch(lang, "cancel")
        self._run(
            f"/odoo/action-partner_data_hygiene.hygiene_import_batch_action/{batch.id}",
            "partner_data_hygiene_steward_import",
            lang,
        )
        self.assertEqual(batch.state, "done")
        self.assertEqual(cancelled.state, "cancelled")
        self._run(
            "/odoo/action-partner_data_hygiene.hygiene_source_action",
            "partner_data_hygiene_steward_screens",
            lang,
        )
        cause = self._dashboard_cause()
        snapshots = self.env["hygiene.kpi.snapshot"].search_count([])
        self._run(
            "/odoo/action-partner_data_hygiene.hygiene_partner_score_action",
            "partner_data_hygiene_steward_control",
            lang,
        )
        self._check_control(snapshots)
        self.assertTrue(cause.exists(), "the merge the dashboard's cause opened")
        self._run(
            "/odoo/action-partner_data_hygiene.hygiene_journal_action",
            "partner_data_hygiene_officer",
            lang,
        )
        self._run(
            f"/odoo/action-partner_data_hygiene.hygiene_partner_action/{self.to_anonymise.id}",
            "partner_data_hygiene_officer_contact",
            lang,
        )
        self.assertEqual(self.to_anonymise.hygiene_retention_state, "anonymized")
        self._run(
            "/odoo/action-partner_data_hygiene.hygiene_privacy_request_action",
            "partner_data_hygiene_officer_privacy",
            lang,
        )
        self._check_privacy()
        self._run(
            "/odoo/action-partner_data_hygiene.hygiene_retention_policy_action",
            "partner_data_hygiene_manager",
            lang,
        )
        self.assertFalse(self.env["hygiene.retention.policy"].search([]))
        self._run(
            f"/odoo/action-partner_data_hygiene.hygiene_partner_action/{self.to_erase.id}",
            "partner_data_hygiene_manager_contact",
            lang,
        )
        self.assertFalse(self.to_erase.exists().active)
        self._run(
            "/odoo/action-partner_data_hygiene.hygiene_source_action",
            "partner_data_hygiene_admin_settings",
            lang,
        )
        self._run(
            f"/odoo/action-partner_data_hygiene.hygiene_partner_action/{self.pairs[1].id}",
            "partner_data_hygiene_sales_user",
            lang,
        )

    def _dashboard_cause(self):
        """A cause on the dashboard, for its Open button: a steward's merge between two
        snapshots (the one before it, and the one the merge engine takes after it, which the
        dashboard shows, being the latest). Returns its merge journal entry."""
        kept, merged = self.env["res.partner"].create(
            [
                {"name": "Tour Cause Kept", "email": "tour.cause@example.fr"},
                {"name": "Tour Cause Merged", "email": "tour.cause@example.fr"},
            ]
        )
        journal = kept.with_user(self.users["steward"])._hygiene_merge(merged)
        latest = self.env["hygiene.kpi.snapshot"].search([], limit=1)
        self.assertIn(journal, latest.cause_ids.merge_journal_id, "the cause of the merge")
        return journal

    def _check_control(self, snapshots):
        Snapshot = self.env["hygiene.kpi.snapshot"]
        self.assertEqual(Snapshot.search_count([]), snapshots + 1, "the tour took one snapshot")
        proposals = self.env["hygiene.details.proposal"].search(
            [("partner_id.name", "in", ("Tour Aubepine", "Tour Bergamote", "Tour Cassis"))]
        )
        self.assertEqual(sorted(proposals.mapped("state")), ["accepted"] * 3 + ["rejected"] * 3)

    def _check_privacy(self):
        requests = self.env["hygiene.privacy.request"].search(
            [("partner_id.name", "like", "Tour % Person")], order="id"
        )
        self.assertEqual(requests.mapped("state"), ["done", "refused", "cancelled"])
        breach = self.env["hygiene.breach"].search([("name", "=", "Tour Lost Laptop")])
        self.assertEqual(
            set(breach.affected_partner_ids.mapped("email_normalized")),
            {self.pairs[0].email_normalized},
            "the contacts whose address is in the leaked file",
        )

    def _check_portal(self):
        partner = self.users["portal"].partner_id
        sms = self.env.ref("partner_data_hygiene.purpose_sms_offers")
        events = partner.sudo().hygiene_consent_ids.filtered(lambda e: e.purpose_id == sms)
        self.assertEqual(sorted(events.mapped("action")), ["grant", "withdraw"])
        kinds = {req.request_type: req.state for req in partner.sudo().hygiene_privacy_request_ids}
        self.assertEqual(kinds.get("portability"), "done", "the export was prepared")
        self.assertEqual(kinds.get("erasure"), "cancelled", "the erasure asked, then cancelled")
        Details = self.env["hygiene.details.request"].sudo()
        states = {
            request.partner_id.name: request.state
            for request in Details.search(
                [("partner_id.name", "in", ("Tour Checked", "Tour Confirmed"))]
            )
        }
        self.assertEqual(states, {"Tour Checked": "corrected", "Tour Confirmed": "confirmed"})

    def test_tours_in_english(self):
        self._tours("en_US")

    def test_tours_in_french(self):
        self._tours("fr_FR")


@tagged("post_install", "-at_install")
class TestPhoneTour(HttpCase):
    """What only a phone shows (390 px wide): the proposals of a details check as cards inside
    its form, their Accept and Reject there (the list cut the values)."""

    browser_size = "390x844"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["partner_data_hygiene"], ["fr_FR"])
        cls.steward = mail_new_test_user(
            cls.env,
            login="tour_phone_steward",
            groups=f"{EMPLOYEE},partner_data_hygiene.group_hygiene_steward",
            lang="fr_FR",
        )
        partner = cls.env["res.partner"].create(
            {"name": "Tour Dattier", "email": "dattier@example.fr", "city": "Lyon"}
        )
        cls.request = (
            cls.env["hygiene.details.request"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "expiry_date": fields.Datetime.now() + timedelta(days=30),
                }
            )
        )
        cls.request._hygiene_answer({"street": "2 rue Neuve", "mobile": "06 11 22 33 55"})

    def test_the_proposals_are_cards_on_a_phone(self):
        self.start_tour(
            f"/odoo/action-partner_data_hygiene.hygiene_details_request_action/{self.request.id}",
            "partner_data_hygiene_steward_phone",
            login=self.steward.login,
            timeout=120,
        )
        self.assertEqual(
            sorted(self.request.proposal_ids.mapped("state")), ["accepted", "rejected"]
        )
