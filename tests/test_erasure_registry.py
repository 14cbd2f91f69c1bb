"""The erasers are registered per application and overridable (issue 15, item 4): the engine
dispatches every hook listed by ``hygiene.eraser._hygiene_erasers`` whose model is installed, in
sequence, so that a bridge module adds an application without touching the engine."""

from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import SQL

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestEraserRegistry(HygieneCommon):
    def test_a_bridge_hook_is_dispatched_with_the_erasure(self):
        Eraser = type(self.env["hygiene.eraser"])
        calls = []

        def bridge_erasers(self):
            return [
                *original(self),
                (45, "res.country", "_hygiene_erase_bridge"),
                (46, "no.such.model", "_hygiene_erase_missing"),
            ]

        def erase_bridge(self, erasure):
            # a bridge hook sees the persons, their identifiers and what earlier hooks found
            calls.append((list(erasure.nodes), list(erasure.emails), dict(erasure.documents)))
            erasure.counts["bridge.record"] += 1

        original = Eraser._hygiene_erasers
        with (
            patch.object(Eraser, "_hygiene_erasers", bridge_erasers, create=True),
            patch.object(Eraser, "_hygiene_erase_bridge", erase_bridge, create=True),
        ):
            result = self.jeanne.with_user(self.user_officer)._hygiene_retention_execute(
                "anonymize"
            )
        self.assertEqual(result["done"], [self.jeanne.id])
        self.assertEqual(len(calls), 1, "the missing model's hook is skipped, not called")
        nodes, emails, documents = calls[0]
        self.assertEqual(nodes, [self.jeanne.id])
        self.assertEqual(emails, ["jeanne.lefevre@example.fr"])
        self.assertEqual(documents["res.partner"], {self.jeanne.id})
        self.assertEqual(result["counts"]["bridge.record"], 1, "journaled with the others")

    def test_hooks_run_in_sequence_applications_before_layers(self):
        Eraser = self.env["hygiene.eraser"]
        hooks = sorted(Eraser._hygiene_erasers())
        methods = [method for __, __, method in hooks]
        self.assertLess(
            methods.index("_hygiene_erase_crm"), methods.index("_hygiene_erase_messages")
        )
        self.assertLess(
            methods.index("_hygiene_erase_messages"), methods.index("_hygiene_erase_attachments")
        )
        for __, __, method in hooks:
            self.assertTrue(hasattr(Eraser, method), method)

    def test_an_overridden_hook_replaces_the_shipped_one(self):
        """A module can change what one application erases by overriding its hook alone."""
        Eraser = type(self.env["hygiene.eraser"])
        self.jeanne.message_post(body="<p>Jeanne's message</p>", author_id=self.jeanne.id)
        with patch.object(Eraser, "_hygiene_erase_messages", lambda self, erasure: None):
            self.jeanne.with_user(self.user_officer)._hygiene_retention_execute("anonymize")
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM mail_message WHERE author_id = %s AND body ILIKE %s",
                self.jeanne.id,
                "%Jeanne's message%",
            )
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1, "the override ran instead")

    def test_each_application_registers_its_own_hooks(self):
        """One eraser per application, each in its own file of ``models/erasers/``, registered
        by extending ``_hygiene_erasers`` as a bridge module would: the engine lists none."""
        Eraser = type(self.env["hygiene.eraser"])
        package = "odoo.addons.partner_data_hygiene.models.erasers."
        files = {}
        for __, model, method in Eraser._hygiene_erasers(self.env["hygiene.eraser"]):
            owner = next(klass for klass in Eraser.__mro__ if method in vars(klass))
            self.assertTrue(owner.__module__.startswith(package), (method, owner.__module__))
            self.assertIn("_hygiene_erasers", vars(owner), f"{owner.__module__} registers {method}")
            files.setdefault(owner.__module__.removeprefix(package), set()).add(model)
        expected = {
            "crm": {"crm.lead"},
            "sale": {"sale.order"},
            "account": {"account.move", "account.payment"},
            "mass_mailing": {"mailing.trace"},
            "link_tracker": {"link.tracker.click"},
            "website": {"website.visitor"},
            "calendar": {"calendar.event"},
            "mail": {"mail.message"},
            "mail_activity": {"mail.activity"},
            "attachment": {"ir.attachment"},
            "privacy_lookup": {"privacy.lookup.wizard"},
        }
        self.assertEqual({name: files.get(name) for name in expected}, expected)
        engine = next(
            klass
            for klass in Eraser.__mro__
            if klass.__module__ == "odoo.addons.partner_data_hygiene.models.hygiene_eraser"
        )
        self.assertEqual(engine._hygiene_erasers(self.env["hygiene.eraser"]), [])
