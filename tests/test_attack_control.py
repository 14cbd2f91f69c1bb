"""Attacks on the rights of the control step (issue 18), through the ORM with each role's rights:
scores, RFM history, KPI snapshots and their causes, segments (their filter, company, tag,
mailing list, members and log), and the consent each recipient of a mailing was sent under.

Each test is one attack; those that were open before the fix say so in their docstring."""

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HygieneCommon


@tagged("post_install", "-at_install", "partner_data_hygiene")
class TestAttackControl(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Controller B"})
        cls.alice = cls.env["res.partner"].create(
            {
                "name": "Alice Companya",
                "email": "alice.a@example.fr",
                "company_id": cls.company_a.id,
            }
        )
        cls.bernard = cls.env["res.partner"].create(
            {
                "name": "Bernard Companyb",
                "email": "bernard.b@example.fr",
                "company_id": cls.company_b.id,
            }
        )
        for partner in (cls.alice, cls.bernard):
            cls.env["hygiene.consent"].create(
                {
                    "partner_id": partner.id,
                    "purpose_id": cls.purpose_newsletter.id,
                    "action": "grant",
                    "channel": "web_form",
                }
            )
        cls.steward_b = mail_new_test_user(
            cls.env,
            login="hyg_steward_b",
            groups="base.group_user,base.group_partner_manager,"
            "partner_data_hygiene.group_hygiene_steward",
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )
        cls.env["hygiene.partner.score"]._hygiene_refresh(
            partner_ids=(cls.alice | cls.bernard | cls.jeanne | cls.marc).ids
        )

    def _segment(self, user=None, **values):
        Segment = self.env["hygiene.segment"]
        if user:
            Segment = Segment.with_user(user)
        return Segment.create(
            {
                "name": values.pop("name", "Attack"),
                "marketing": False,
                "domain": values.pop("domain", "[('email', '!=', False)]"),
                **values,
            }
        )

    def _members(self, segment):
        return segment.sudo().member_ids.partner_id

    # ------------------------------------------------------------ segments: companies

    def test_steward_cannot_create_a_segment_for_every_company(self):
        """Was open: a company-less segment, created by a steward of A, was refreshed as the
        system over every company, so company B's contacts entered its tag and mailing list."""
        with self.assertRaises(ValidationError):
            self._segment(self.user_steward, company_id=False)
        segment = self._segment(self.user_steward)
        self.assertEqual(segment.company_id, self.company_a)
        with self.assertRaises(ValidationError):
            segment.with_user(self.user_steward).write({"company_id": False})
        segment.sudo()._hygiene_refresh()
        self.assertIn(self.alice, self._members(segment))
        self.assertNotIn(self.bernard, self._members(segment))

    def test_steward_cannot_move_a_segment_to_another_company(self):
        """Was open: the record rule is checked before a write only, so a steward of A could
        move their segment to company B and have B's contacts materialised."""
        segment = self._segment(self.user_steward)
        with self.assertRaises(ValidationError):
            segment.with_user(self.user_steward).write({"company_id": self.company_b.id})
        with self.assertRaises(ValidationError):
            self._segment(self.user_steward, company_id=self.company_b.id)

    def test_steward_cannot_change_a_shared_segment(self):
        """Was open: the shipped segments are for every company; a steward of A could change
        their filter and decide which of B's contacts are mailed."""
        newsletter = self.env.ref("partner_data_hygiene.segment_newsletter_optin")
        with self.assertRaises(ValidationError):
            newsletter.with_user(self.user_steward).write({"domain": "[('email', '=like', 'b%')]"})
        # the refresh of a shared segment stays allowed (the cron does it anyway)
        newsletter.with_user(self.user_steward).action_refresh()

    def test_filter_on_another_company_materialises_nothing(self):
        """Blocked: a filter naming company B in a segment of A finds nobody."""
        segment = self._segment(
            self.user_steward, domain=f"[('company_id', '=', {self.company_b.id})]"
        )
        segment.with_user(self.user_steward).action_refresh()
        self.assertFalse(self._members(segment))
        self.assertEqual(segment.member_count, 0)

    def test_filter_on_officer_only_or_unreadable_data_is_refused(self):
        """Blocked: the filter runs with its author's rights before the system runs it."""
        for domain in (
            "[('hygiene_consent_ids.user_agent', 'ilike', 'Firefox')]",
            "[('hygiene_consent_ids.page_url', '!=', False)]",
            "[('hygiene_consent_ids.source_ref', 'ilike', 'row')]",
            "[('hygiene_consent_ids.evidence_attachment_id.name', 'ilike', 'scan')]",
        ):
            with self.subTest(domain=domain), self.assertRaises(ValidationError):
                self._segment(self.user_steward, domain=domain)
        # an employee's filter on the scores (hygiene users only): no right to write at all
        with self.assertRaises(AccessError):
            self._segment(
                self.user_employee, domain="[('hygiene_score_ids.quality_score', '<', 50)]"
            )

    def test_other_companys_members_and_log_are_hidden(self):
        """Blocked: members and log follow their contact's company."""
        newsletter = self.env.ref("partner_data_hygiene.segment_newsletter_optin")
        newsletter.domain = str([("id", "in", (self.alice | self.bernard).ids)])
        newsletter._hygiene_refresh()
        self.assertEqual(self._members(newsletter), self.alice | self.bernard)
        self.env.invalidate_all()
        as_a = newsletter.with_user(self.user_steward)
        self.assertEqual(
            as_a.read(["member_ids"])[0]["member_ids"],
            newsletter.member_ids.filtered(lambda m: m.partner_id == self.alice).ids,
        )
        Log = self.env["hygiene.segment.log"].with_user(self.user_steward)
        self.assertNotIn(self.bernard, Log.search([]).partner_id)
        Member = self.env["hygiene.segment.member"].with_user(self.steward_b)
        self.assertEqual(
            Member.search([("segment_id", "=", newsletter.id)]).partner_id, self.bernard
        )

    # ------------------------------------------------------------ segments: system fields

    def test_steward_cannot_repoint_the_mailing_list_or_tag(self):
        """Was open: ``mailing_list_id`` and ``tag_id`` are read-only in the form only; a
        steward pointing a segment at another team's list had the refresh (as the system)
        subscribe the members to it, then delete those people's subscriptions from it, opt-outs
        included, when they left."""
        segment = self._segment(self.user_steward)
        tag = self.env["res.partner.category"].create({"name": "VIP of another team"})
        values = {"tag_id": tag.id, "mailing_list_id": 1, "member_count": 9999}
        values["last_refresh_date"] = "2020-01-01 00:00:00"
        for name, value in values.items():
            with self.subTest(field=name), self.assertRaises(AccessError):
                segment.with_user(self.user_steward).write({name: value})
            with self.subTest(field=name), self.assertRaises(AccessError):
                self._segment(self.user_steward, **{name: value})
        self.assertFalse(segment.tag_id)
        self.assertFalse(segment.mailing_list_id)

    def test_list_of_another_team_keeps_its_opt_outs(self):
        """Was open (end to end): the opted-out subscription of a list the steward targeted was
        deleted by the refresh."""
        if "mailing.list" not in self.env:
            self.skipTest("Email Marketing is not installed")
        other_list = self.env["mailing.list"].create({"name": "Partners' newsletter"})
        contact = self.env["mailing.contact"].create({"name": "Alice", "email": self.alice.email})
        optout = self.env["mailing.subscription"].create(
            {"list_id": other_list.id, "contact_id": contact.id, "opt_out": True}
        )
        segment = self._segment(self.user_steward, domain=str([("id", "=", self.alice.id)]))
        with self.assertRaises(AccessError):
            segment.with_user(self.user_steward).write({"mailing_list_id": other_list.id})
        segment.with_user(self.user_steward).action_refresh()
        segment.with_user(self.user_steward).write({"domain": "[('id', '=', 0)]"})
        segment.with_user(self.user_steward).action_refresh()
        self.assertTrue(optout.exists())
        self.assertTrue(optout.opt_out)
        self.assertNotEqual(segment.mailing_list_id, other_list.id)

    def test_copy_gets_its_own_tag_and_list(self):
        """Was open: a duplicated segment shared the original's tag and list, so refreshing the
        copy removed the original's members from them."""
        segment = self._segment(self.user_steward, domain=str([("id", "=", self.alice.id)]))
        segment.with_user(self.user_steward).action_refresh()
        self.assertTrue(segment.tag_id)
        copy = segment.with_user(self.user_steward).copy()
        self.assertFalse(copy.tag_id)
        self.assertFalse(copy.mailing_list_id)
        self.assertFalse(copy.member_count)

    def test_members_and_log_cannot_be_forged_through_the_segment(self):
        """Blocked: x2many commands on the segment reach the members' and log's own checks."""
        segment = self._segment(domain=str([("id", "=", self.alice.id)]))
        segment._hygiene_refresh()
        member, log = segment.member_ids, segment.log_ids
        commands = {
            "create member": {"member_ids": [Command.create({"partner_id": self.marc.id})]},
            "delete member": {"member_ids": [Command.delete(member.id)]},
            "unlink member": {"member_ids": [Command.unlink(member.id)]},
            "create log": {"log_ids": [Command.create({"partner_id": self.marc.id})]},
            "delete log": {"log_ids": [Command.delete(log.id)]},
            "edit log": {"log_ids": [Command.update(log.id, {"reason": "filter"})]},
        }
        for role in (self.user_steward, self.user_manager):
            for name, vals in commands.items():
                with self.subTest(role=role.login, attack=name):
                    with self.assertRaises(AccessError):
                        segment.with_user(role).write(vals)
        self.assertEqual(segment.member_ids, member)
        self.assertEqual(segment.log_ids, log)
        self.assertEqual(log.reason, "matches")

    # ------------------------------------------------------------ scores and RFM

    def test_scores_hidden_from_employees_through_the_contact(self):
        """Blocked: reading, filtering and exporting the scores through the contact."""
        self.user_employee.groups_id += self.env.ref("base.group_allow_export")
        partner = self.alice.with_user(self.user_employee)
        with self.assertRaises(AccessError):
            partner.read(["hygiene_score_ids"])
        with self.assertRaises(AccessError):
            partner.search([("hygiene_score_ids.quality_score", "<", 101)])
        with self.assertRaises(AccessError):
            partner.search([("hygiene_score_ids.do_not_solicit", "=", True)])
        with self.assertRaises(AccessError):
            partner.export_data(["name", "hygiene_score_ids/engagement_score"])
        with self.assertRaises(AccessError):
            partner.read(["hygiene_rfm_history_ids"])
        with self.assertRaises(AccessError):
            partner.read(["hygiene_segment_member_ids"])
        self.assertNotIn("hygiene_score_ids", partner.fields_get())
        # nor to a portal user on their own contact
        own = self.user_portal.partner_id.with_user(self.user_portal)
        with self.assertRaises(AccessError):
            own.read(["hygiene_score_ids"])

    def test_scores_of_another_company_are_hidden(self):
        """Blocked: the rows follow the contact's company."""
        Score = self.env["hygiene.partner.score"]
        self.assertTrue(Score.search([("partner_id", "=", self.bernard.id)]))
        as_a = Score.with_user(self.user_hygiene)
        self.assertFalse(as_a.search([("partner_id", "=", self.bernard.id)]))
        groups = as_a.read_group([], ["partner_count:sum"], ["company_id"])
        self.assertNotIn(
            self.company_b.id, [g["company_id"] and g["company_id"][0] for g in groups]
        )
        self.assertFalse(as_a.name_search("Bernard"))

    def test_scores_cannot_be_forged_or_deleted(self):
        """Blocked: create/write raise for everyone but the system; unlink has no ACL."""
        score = self.env["hygiene.partner.score"].search([("partner_id", "=", self.alice.id)])
        for role in (self.user_hygiene, self.user_steward, self.user_manager):
            with self.subTest(role=role.login):
                with self.assertRaises(AccessError):
                    score.with_user(role).write({"do_not_solicit": False, "quality_score": 100})
                with self.assertRaises(AccessError):
                    score.with_user(role).unlink()
        self.assertTrue(score.exists())

    def test_rfm_history_is_read_only_and_per_company(self):
        """Blocked."""
        History = self.env["hygiene.rfm.history"]
        row = History.create(
            {"partner_id": self.bernard.id, "company_id": self.company_b.id, "date": "2026-01-01"}
        )
        self.assertFalse(History.with_user(self.user_hygiene).search([("id", "=", row.id)]))
        with self.assertRaises(AccessError):
            History.with_user(self.user_manager).create(
                {"partner_id": self.alice.id, "date": "2026-01-01"}
            )
        with self.assertRaises(AccessError):
            row.with_user(self.steward_b).write({"label": "champions"})

    # ------------------------------------------------------------ KPI snapshots

    def test_snapshot_causes_exclude_another_companys_purges(self):
        """Was open: the purges of the retention journal (which has no company) were all
        attributed to the first company's snapshot: a user of A read B's policy names and how
        many of B's contacts were deleted."""
        Snapshot = self.env["hygiene.kpi.snapshot"]
        Snapshot._hygiene_take("manual")
        policy_b = self.env["hygiene.retention.policy"].create(
            {
                "name": "Company B prospects",
                "company_id": self.company_b.id,
                "domain": "[('id', '=', 0)]",
            }
        )
        policy_a = self.env["hygiene.retention.policy"].create(
            {
                "name": "Company A prospects",
                "company_id": self.company_a.id,
                "domain": "[('id', '=', 0)]",
            }
        )
        journal = self.env["hygiene.journal"]
        entry_b = journal._log("delete", policy=policy_b, record_ids=[self.bernard.id])
        entry_a = journal._log("archive", policy=policy_a, record_ids=[self.alice.id])
        snapshots = Snapshot._hygiene_take("manual")
        snapshot_a = snapshots.filtered(lambda s: s.company_id == self.company_a)
        snapshot_b = snapshots.filtered(lambda s: s.company_id == self.company_b)
        self.assertEqual(snapshot_a.cause_ids.journal_id, entry_a)
        self.assertEqual(snapshot_b.cause_ids.journal_id, entry_b)
        causes = self.env["hygiene.kpi.cause"].with_user(self.user_hygiene).search([])
        self.assertNotIn("Company B prospects", " ".join(causes.mapped("name")))

    def test_snapshots_of_another_company_are_hidden(self):
        """Blocked: snapshots, their figures and causes follow their company."""
        snapshots = self.env["hygiene.kpi.snapshot"]._hygiene_take("manual")
        snapshot_b = snapshots.filtered(lambda s: s.company_id == self.company_b)
        self.assertTrue(snapshot_b)
        for model in ("hygiene.kpi.snapshot", "hygiene.kpi.value", "hygiene.kpi.cause"):
            with self.subTest(model=model):
                rows = self.env[model].with_user(self.user_hygiene).search([])
                self.assertNotIn(self.company_b, rows.company_id)
        with self.assertRaises(AccessError):
            snapshot_b.with_user(self.user_hygiene).read(["contacts"])
        # the dashboard of a user of A opens A's snapshot
        action = (
            self.env["hygiene.kpi.snapshot"].with_user(self.user_hygiene).action_open_dashboard()
        )
        self.assertNotEqual(action["res_id"], snapshot_b.id)

    def test_snapshots_cannot_be_written_or_deleted_below_manager(self):
        """Blocked."""
        snapshot = self.env["hygiene.kpi.snapshot"]._hygiene_take("manual")[:1]
        for role in (self.user_hygiene, self.user_steward, self.user_officer):
            with self.subTest(role=role.login):
                with self.assertRaises(AccessError):
                    snapshot.with_user(role).write({"contacts": 1})
                with self.assertRaises(AccessError):
                    snapshot.with_user(role).unlink()
                with self.assertRaises(AccessError):
                    snapshot.value_ids[:1].with_user(role).write({"value": 0})
        with self.assertRaises(AccessError):
            snapshot.with_user(self.user_manager).write({"contacts": 1})

    def test_cause_opens_only_what_the_user_may_read(self):
        """Blocked: a purge cause leads to the officers' journal."""
        Snapshot = self.env["hygiene.kpi.snapshot"]
        Snapshot._hygiene_take("manual")
        policy = self.env["hygiene.retention.policy"].create(
            {"name": "A again", "company_id": self.company_a.id, "domain": "[('id', '=', 0)]"}
        )
        self.env["hygiene.journal"]._log("delete", policy=policy, record_ids=[self.marc.id])
        snapshot = Snapshot._hygiene_take("manual")[:1]
        cause = snapshot.cause_ids.filtered("journal_id")
        self.assertTrue(cause)
        with self.assertRaises(AccessError):
            cause.with_user(self.user_hygiene).action_open_operation()
        self.assertEqual(
            cause.with_user(self.user_officer).action_open_operation()["res_id"],
            cause.journal_id.id,
        )

    # ------------------------------------------------------------ mailings

    def test_consent_per_mailing_is_the_officers(self):
        """Blocked: the consent each recipient was sent under, officers only, per company."""
        Proof = self.env["hygiene.mailing.consent"]
        proof = Proof.create(
            {"mailing_id": 1, "partner_id": self.bernard.id, "company_id": self.company_b.id}
        )
        for role in (self.user_hygiene, self.user_steward):
            with self.subTest(role=role.login), self.assertRaises(AccessError):
                Proof.with_user(role).search([])
        self.assertFalse(Proof.with_user(self.user_officer).search([("id", "=", proof.id)]))
        with self.assertRaises(AccessError):
            Proof.with_user(self.user_manager).create({"mailing_id": 2})
        with self.assertRaises(AccessError):
            proof.with_user(self.user_manager).write({"consent_id": False})

    def test_optouts_are_read_only_and_per_company(self):
        """Blocked."""
        Optout = self.env["hygiene.optout"]
        optout = Optout.create(
            {"kind": "list", "partner_id": self.bernard.id, "company_id": self.company_b.id}
        )
        self.assertFalse(Optout.with_user(self.user_hygiene).search([("id", "=", optout.id)]))
        with self.assertRaises(AccessError):
            Optout.with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            optout.with_user(self.steward_b).write({"mailing_id": 7})
        with self.assertRaises(AccessError):
            optout.with_user(self.steward_b).unlink()

    def test_member_moved_to_another_company_is_hidden_from_the_first(self):
        """Was open: a member kept the company their contact had on entry, so once the contact
        moved to company B, users of A still saw them (and the consent relied on) in a segment
        for every company."""
        newsletter = self.env.ref("partner_data_hygiene.segment_newsletter_optin")
        newsletter.domain = str([("id", "=", self.alice.id)])
        newsletter._hygiene_refresh()
        Member = self.env["hygiene.segment.member"]
        mine = [("segment_id", "=", newsletter.id)]
        self.assertEqual(Member.with_user(self.user_steward).search(mine).partner_id, self.alice)
        self.alice.company_id = self.company_b
        newsletter._hygiene_refresh()
        self.assertIn(self.alice, newsletter.member_ids.partner_id)
        self.assertFalse(Member.with_user(self.user_steward).search(mine).partner_id)
        self.assertEqual(
            Member.with_user(self.steward_b)
            .search([("partner_id", "=", self.alice.id)])
            .partner_id,
            self.alice,
        )

    def test_filter_through_records_the_author_cannot_read_reveals_nothing(self):
        """Was open: the refresh ran the filter as the system. A steward of A filtering shared
        contacts on their children in company B (hidden from them) learnt, through the members,
        which shared contact has such a child, and with which email."""
        Partner = self.env["res.partner"]
        shared = Partner.create({"name": "Shared Holding", "is_company": True, "company_id": False})
        Partner.create(
            {
                "name": "Secret Companyb",
                "email": "secret.b@example.fr",
                "parent_id": shared.id,
                "company_id": self.company_b.id,
            }
        )
        domain = "[('child_ids.email', '=', 'secret.b@example.fr')]"
        segment = self._segment(self.user_steward, domain=domain)
        self.assertEqual(segment.domain_uid, self.user_steward)
        segment.with_user(self.user_steward).action_refresh()
        self.assertFalse(self._members(segment))
        self.assertEqual(segment.member_count, 0)
        # the same filter set by someone who reads company B finds the shared contact
        segment = self.env["hygiene.segment"].browse(segment.id)
        segment.write({"domain": domain})
        segment._hygiene_refresh()
        self.assertEqual(self._members(segment), shared)

    def test_filter_stops_matching_when_its_author_loses_the_right(self):
        """Blocked (and does not break the cron): a filter on officer-only proof, set by an
        officer, empties the segment once its author is no longer an officer."""
        self.env["hygiene.consent"].create(
            {
                "partner_id": self.alice.id,
                "purpose_id": self.purpose_sms.id,
                "action": "grant",
                "channel": "web_form",
                "ip_address": "203.0.113.7",
            }
        )
        segment = self._segment(
            self.user_officer, domain="[('hygiene_consent_ids.ip_address', '=', '203.0.113.7')]"
        )
        segment.sudo()._hygiene_refresh()
        self.assertEqual(self._members(segment), self.alice)
        self.user_officer.groups_id -= self.env.ref("partner_data_hygiene.group_hygiene_officer")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertFalse(self.user_officer.has_group("partner_data_hygiene.group_hygiene_officer"))
        self.env["hygiene.segment"]._cron_refresh()
        self.assertFalse(self._members(segment))
        self.assertEqual(
            segment.log_ids.filtered(lambda log: log.move == "left").partner_id, self.alice
        )

    def test_restricted_archive_hidden_in_rfm_history_and_segment_log(self):
        """Was open: the restricted archive is hidden from employees, but the RFM history and
        the entries and exits of a segment stayed readable by every hygiene user, naming the
        archived person (Odoo shows a many2one's name in sudo)."""
        History = self.env["hygiene.rfm.history"]
        row = History.create(
            {
                "partner_id": self.alice.id,
                "company_id": self.company_a.id,
                "date": "2026-01-01",
                "label": "lost",
            }
        )
        segment = self._segment(domain=str([("id", "=", self.alice.id)]))
        segment._hygiene_refresh()
        # the retention engine moves the contact to the restricted archive (its own SQL)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET active = FALSE, hygiene_retention_state = 'archived' "
            "WHERE id = %s",
            [self.alice.id],
        )
        self.env.invalidate_all()
        segment._hygiene_refresh()
        logs = segment.log_ids
        self.assertEqual(set(logs.mapped("move")), {"entered", "left"})
        Log = self.env["hygiene.segment.log"]
        for role in (self.user_hygiene, self.user_steward):
            with self.subTest(role=role.login):
                self.assertFalse(History.with_user(role).search([("id", "=", row.id)]))
                self.assertFalse(Log.with_user(role).search([("id", "in", logs.ids)]))
        self.assertEqual(History.with_user(self.user_officer).search([("id", "=", row.id)]), row)
        self.assertEqual(Log.with_user(self.user_officer).search([("id", "in", logs.ids)]), logs)

    def test_restricted_contact_fields_cannot_be_searched_below_their_group(self):
        """Was open: Odoo checks a field's groups when it reads or searches a stored column,
        not when a non-stored field searches through its own method, so an employee filtered
        contacts by their retention due date or policy (stewards' fields) or their consented
        purposes (hygiene users'), an oracle on each contact's value (the dashboard's "past
        their retention date" list used it for hygiene users)."""
        Partner = self.env["res.partner"]
        cases = {
            "hygiene_retention_due_date": ("<", "2100-01-01", self.user_hygiene),
            "hygiene_retention_policy_id": ("!=", False, self.user_hygiene),
            "hygiene_granted_purpose_ids": ("in", self.purpose_newsletter.ids, self.user_employee),
        }
        for name, (operator, value, highest_refused) in cases.items():
            for user in {self.user_employee, highest_refused}:
                with self.subTest(field=name, user=user.login), self.assertRaises(AccessError):
                    Partner.with_user(user).search_count([(name, operator, value)])
        self.assertTrue(
            Partner.with_user(self.user_steward).search_count(
                [("hygiene_granted_purpose_ids", "in", self.purpose_newsletter.ids)]
            )
        )
        Partner.with_user(self.user_steward).search_count(
            [("hygiene_retention_due_date", "<", "2100-01-01")]
        )
