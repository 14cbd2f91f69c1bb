import os
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, Form, tagged, users
from odoo.tools import SQL, config

from ..tools.suppression import suppression_hash, suppression_values
from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestSuppressionTools(BaseCase):
    def test_values_are_normalised(self):
        expected = [("email", "jean@example.com")]
        for email in (
            "Jean@Example.com",
            " Jean Dupont <jean@example.com> ",
            "jean+promo@EXAMPLE.com",
        ):
            with self.subTest(email=email):
                self.assertEqual(suppression_values(email), expected)
        self.assertEqual(
            suppression_values(None, ["06 12 34 56 78", "+33 (0)6 12 34 56 78", "garbage"]),
            [("phone", "+33612345678")],
        )
        self.assertEqual(suppression_values("not an email", ["12"]), [])

    def test_hash_is_keyed(self):
        first = suppression_hash(b"key-one", "email", "jean@example.com")
        self.assertEqual(len(first), 64)
        self.assertEqual(first, suppression_hash(b"key-one", "email", "jean@example.com"))
        self.assertNotEqual(first, suppression_hash(b"key-two", "email", "jean@example.com"))
        self.assertNotEqual(first, suppression_hash(b"key-one", "phone", "jean@example.com"))
        with self.assertRaises(ValueError):
            suppression_hash(b"key", "name", "Jean")
        with self.assertRaises(ValueError):
            suppression_hash(b"", "email", "jean@example.com")


@tagged("post_install", "-at_install")
class TestSuppressionList(HygieneCommon):
    def _table_dump(self):
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT * FROM hygiene_suppression"))
        return repr(self.env.cr.fetchall()).lower()

    def test_suppress_keeps_only_hashes_and_is_idempotent(self):
        Suppression = self.env["hygiene.suppression"]
        added = Suppression._suppress(
            "erasure", email="Jeanne.Lefevre@Example.fr", phones=["06 12 34 56 78"]
        )
        self.assertEqual(added, 2)
        self.assertEqual(Suppression._suppress("objection", email="jeanne.lefevre@example.fr"), 0)
        dump = self._table_dump()
        for clear in ("jeanne", "lefevre", "example.fr", "612345678"):
            self.assertNotIn(clear, dump)
        email_hash = Suppression._hashes(email="jeanne.lefevre@example.fr")[0][1]
        entry = Suppression.search([("value_hash", "=", email_hash)])
        self.assertEqual(entry.reason, "erasure", "the first reason is kept")
        self.assertEqual(
            Suppression._is_suppressed(email="Jeanne Lefèvre <jeanne.lefevre+x@example.fr>"),
            {"email"},
        )
        self.assertEqual(Suppression._is_suppressed(phones=["+33612345678"]), {"phone"})
        self.assertEqual(Suppression._is_suppressed(email="other@example.fr"), set())
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            entry.write({"reason": "objection"})
        with self.assertRaisesRegex(UserError, "Unknown suppression reason"):
            Suppression._suppress("because", email="x@example.fr")

    def test_key_comes_from_the_configuration_file_first(self):
        Suppression = self.env["hygiene.suppression"]
        Suppression._suppress("erasure", email="marc.dubois@example.fr")
        self.assertTrue(Suppression._is_suppressed(email="marc.dubois@example.fr"))
        with patch.dict(config.options, {"hygiene_suppression_key": "another-key"}):
            self.assertEqual(Suppression._suppression_secret(), b"another-key")
            # same table, other key: the stored hash is not recognised
            self.assertFalse(Suppression._is_suppressed(email="marc.dubois@example.fr"))
        with patch.dict(config.options, {"hygiene_suppression_key": ""}):
            secret = Suppression._suppression_secret()
            path = os.path.join(
                config["data_dir"], "partner_data_hygiene", self.env.cr.dbname, "suppression.key"
            )
            self.assertTrue(os.path.exists(path))
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            self.assertEqual(Suppression._suppression_secret(), secret, "created once")

    def test_objection_to_the_newsletter_is_suppressed_and_a_new_grant_lifts_it(self):
        Suppression = self.env["hygiene.suppression"]
        self._consent(self.jeanne, "grant", event_date=fields.Datetime.now() - timedelta(days=2))
        self._consent(self.jeanne, "withdraw", event_date=fields.Datetime.now() - timedelta(days=1))
        self.assertEqual(Suppression._is_suppressed(email="jeanne.lefevre@example.fr"), {"email"})
        email_hash = Suppression._hashes(email="jeanne.lefevre@example.fr")[0][1]
        self.assertEqual(Suppression.search([("value_hash", "=", email_hash)]).reason, "objection")
        self._consent(self.jeanne, "grant")
        self.assertFalse(Suppression._is_suppressed(email="jeanne.lefevre@example.fr"))

    def test_a_grant_never_lifts_an_erasure(self):
        Suppression = self.env["hygiene.suppression"]
        Suppression._suppress("erasure", email="jeanne.lefevre@example.fr")
        self._consent(self.jeanne, "withdraw", event_date=fields.Datetime.now() - timedelta(days=1))
        self._consent(self.jeanne, "grant")
        self.assertEqual(Suppression._is_suppressed(email="jeanne.lefevre@example.fr"), {"email"})

    def test_partner_form_warns_about_a_suppressed_person(self):
        self.env["hygiene.suppression"]._suppress("erasure", phones=["07 81 23 45 67"])
        # the hygiene roles see it; whether a person was erased is not every employee's to know
        # (security review L7)
        with Form(self.env["res.partner"].with_user(self.user_hygiene)) as form:
            form.name = "Back Again"
            self.assertFalse(form.hygiene_suppression_warning)
            form.mobile = "+33 7 81 23 45 67"
            self.assertIn("erased", form.hygiene_suppression_warning)
        with Form(self.env["res.partner"].with_user(self.user_employee)) as form:
            form.name = "Back Again"
            self.assertNotIn("hygiene_suppression_warning", form._view["fields"])

    @users("hyg_officer")
    def test_officer_looks_up_without_seeing_a_list(self):
        self.env["hygiene.suppression"].sudo()._suppress(
            "objection", email="marc.dubois@example.fr"
        )
        wizard = self.env["hygiene.suppression.lookup"].create({"email": "MARC.DUBOIS@example.fr"})
        wizard.action_lookup()
        self.assertIn("On the suppression list", wizard.result)
        wizard = self.env["hygiene.suppression.lookup"].create({"email": "nobody@example.fr"})
        wizard.action_lookup()
        self.assertEqual(wizard.result, "Not on the suppression list.")
        # the officer reads only hashes, and cannot add or remove entries by hand
        with self.assertRaises(AccessError):
            self.env["hygiene.suppression"].create(
                {"value_hash": "0" * 64, "kind": "email", "reason": "erasure"}
            )
        with self.assertRaises(AccessError):
            self.env["hygiene.suppression"].search([]).unlink()

    @users("hyg_user")
    def test_hygiene_user_cannot_look_up(self):
        with self.assertRaises(AccessError):
            self.env["hygiene.suppression.lookup"].create({"email": "marc.dubois@example.fr"})


@tagged("post_install", "-at_install")
class TestSuppressionErasureWins(HygieneCommon):
    def test_erasure_after_an_objection_is_not_lifted_by_a_new_consent(self):
        """Security review L6: an objection, then an erasure: the entry is an erasure, which a
        withdraw-then-grant pair does not lift."""
        Suppression = self.env["hygiene.suppression"]
        email = "objected.then.erased@example.fr"
        Suppression._suppress("objection", email=email)
        self.assertEqual(Suppression._suppress("erasure", email=email), 0, "no new row")
        entry = Suppression.search(
            [("value_hash", "in", [h for __, h in Suppression._hashes(email)])]
        )
        self.assertEqual(entry.reason, "erasure")
        Suppression._unsuppress("objection", email=email)
        self.assertTrue(Suppression._is_suppressed(email=email))
