import base64
from datetime import datetime, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install", "privacy_portal")
class TestRecordOfProcessing(HygieneCommon):
    def test_no_active_policy_without_activity_and_vice_versa(self):
        Activity = self.env["hygiene.processing.activity"]
        Policy = self.env["hygiene.retention.policy"]
        # the shipped record covers the shipped policies, active or not
        shipped = Policy.with_context(active_test=False).search(
            [
                (
                    "id",
                    "in",
                    [
                        self.env.ref(f"partner_data_hygiene.retention_policy_{n}").id
                        for n in ("prospects", "customers")
                    ],
                )
            ]
        )
        shipped.write({"active": True})
        gaps = Activity._hygiene_record_gaps()
        self.assertFalse(gaps["policies"] & shipped)
        self.assertFalse(gaps["activities"])
        for activity in Activity.search([]):
            self.assertTrue(activity._retention_text(), activity.name)
        # a new active policy is a gap until an activity lists it
        policy = Policy.create(
            {"name": "Loyalty", "domain": "[('is_company', '=', False)]", "duration_months": 24}
        )
        self.assertIn(policy, Activity._hygiene_record_gaps()["policies"])
        activity = Activity.create(
            {
                "name": "Loyalty programme",
                "purpose": "Points and rewards",
                "retention_policy_ids": [(4, policy.id)],
            }
        )
        self.assertNotIn(policy, Activity._hygiene_record_gaps()["policies"])
        self.assertEqual(policy.processing_activity_ids, activity)
        # an activity without retention is refused
        with self.assertRaises(ValidationError):
            Activity.create({"name": "Nothing", "purpose": "No retention"})
        with self.assertRaises(ValidationError):
            activity.retention_policy_ids = [(5,)]

    def test_csv_export_for_the_authority(self):
        Activity = self.env["hygiene.processing.activity"]
        Activity.create({"name": "=cmd|' /C calc'!A0", "purpose": "x", "retention_note": "1 year"})
        action = Activity.with_user(self.user_officer).action_export_csv()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        text = attachment.raw.decode()
        self.assertIn("Customer management", text)
        self.assertIn("Code de commerce L123-22", text)
        self.assertIn("'=cmd", text)
        with self.assertRaises(AccessError):
            Activity.with_user(self.user_steward).action_export_csv()
        pdf, __ = self.env["ir.actions.report"]._render_qweb_html(
            "partner_data_hygiene.report_processing_activity", Activity.search([]).ids
        )
        self.assertIn(b"Art. 30", pdf)


@tagged("post_install", "-at_install", "privacy_portal")
class TestBreachRegister(HygieneCommon):
    def test_deadline_and_delay_reason(self):
        Breach = self.env["hygiene.breach"].with_user(self.user_officer)
        breach = Breach.create({"name": "Lost laptop", "aware_at": datetime(2025, 3, 29, 10, 0)})
        # 72 hours in UTC, across the French DST change of 30 March
        self.assertEqual(breach.deadline, datetime(2025, 4, 1, 10, 0))
        self.assertTrue(breach.is_late)  # now is long after
        with self.assertRaises(ValidationError):
            breach.notified_at = datetime(2025, 4, 2, 9, 0)
        breach.write({"notified_at": datetime(2025, 4, 2, 9, 0), "delay_reason": "Scope unclear"})
        on_time = Breach.create(
            {
                "name": "On time",
                "aware_at": datetime(2025, 3, 1),
                "notified_at": datetime(2025, 3, 3),
            }
        )
        self.assertFalse(on_time.is_late)
        with self.assertRaises(ValidationError):
            Breach.create(
                {
                    "name": "Bad",
                    "aware_at": datetime(2025, 3, 5),
                    "notified_at": datetime(2025, 3, 1),
                }
            )
        with self.assertRaises(AccessError):
            self.env["hygiene.breach"].with_user(self.user_steward).create({"name": "x"})

    def test_which_contacts_were_in_this_file(self):
        leaked = "email;name\nJEANNE.LEFEVRE@example.fr;x\n<nobody@example.org>\n"
        breach = (
            self.env["hygiene.breach"]
            .with_user(self.user_officer)
            .create(
                {
                    "name": "Fair file leaked",
                    "aware_at": datetime.now() - timedelta(hours=1),
                    "leaked_file": base64.b64encode(leaked.encode()),
                    "leaked_filename": "fair.csv",
                }
            )
        )
        action = breach.action_find_contacts()
        self.assertEqual(breach.affected_partner_ids, self.jeanne)
        self.assertEqual(breach.subject_count, 1)
        self.assertEqual(action["res_model"], "res.partner")
        self.assertFalse(breach.is_late)

    def test_saving_a_breach_with_an_import_counts_its_people(self):
        """An import attached to a breach: the contacts concerned and the number of people
        follow on save (the form read "People 0" until a header button was found); a number
        typed by hand is kept."""
        batch = (
            self.env["hygiene.import.batch"]
            .sudo()
            .create(
                {
                    "raw_file": base64.b64encode(b"email\njeanne.lefevre@example.fr\n"),
                    "raw_filename": "fair.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        self.env["hygiene.import.line"].sudo().create(
            [
                {"batch_id": batch.id, "line_number": 2, "match_partner_id": self.jeanne.id},
                {"batch_id": batch.id, "line_number": 3, "result_partner_id": self.marc.id},
            ]
        )
        Breach = self.env["hygiene.breach"].with_user(self.user_officer)
        with Form(Breach) as form:
            form.name = "Fair file on a lost laptop"
            form.import_batch_ids.add(batch.with_user(self.user_officer))
        breach = form.record
        self.assertEqual(breach.affected_partner_ids, self.jeanne | self.marc)
        self.assertEqual((breach.affected_count, breach.subject_count), (2, 2))
        with Form(breach) as form:
            form.subject_count = 40
        breach.action_find_contacts()
        self.assertEqual(breach.subject_count, 40)
        breach.import_batch_ids = False
        self.assertFalse(breach.affected_partner_ids)
        self.assertEqual(breach.subject_count, 40)
