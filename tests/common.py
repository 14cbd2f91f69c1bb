from odoo.addons.base.tests.common import BaseCommon
from odoo.addons.mail.tests.common import mail_new_test_user


def run_daily_scan(env):
    """The daily scan as a deployment runs it: the cron, then, when OCA ``queue_job`` is
    installed, its jobs performed as its job runner would (the cron only enqueues them there),
    until none is left. The same tests thus hold with and without ``queue_job``."""
    env["hygiene.duplicate.group"].sudo()._cron_scan()
    if "queue.job" not in env:
        return
    # an optional module: imported only when it is installed
    from odoo.addons.queue_job.job import Job

    Jobs = env["queue.job"].sudo()
    domain = [("model_name", "=", "hygiene.duplicate.scan"), ("state", "=", "pending")]
    while jobs := Jobs.search(domain, order="id"):
        for record in jobs:
            job = Job.load(env, record.uuid)
            job.set_started()
            job.perform()
            job.set_done()
            job.store()
            env.flush_all()
            job.enqueue_waiting()


class HygieneCommon(BaseCommon):
    """Users for each role, the shipped purposes and a few partners; no demo data needed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # French teams: national phone numbers are read as French (installing account or website
        # may leave the company in another country).
        cls.env.company.country_id = cls.env.ref("base.fr")
        company = cls.env.ref("base.main_company")
        employee_groups = "base.group_user,base.group_partner_manager"
        # attribute -> (login, hygiene role or None)
        roles = {
            "user_employee": ("hyg_employee", None),
            "user_hygiene": ("hyg_user", "group_hygiene_user"),
            "user_steward": ("hyg_steward", "group_hygiene_steward"),
            "user_officer": ("hyg_officer", "group_hygiene_officer"),
            "user_manager": ("hyg_manager", "group_hygiene_manager"),
        }
        for attribute, (login, role) in roles.items():
            groups = employee_groups + (f",partner_data_hygiene.{role}" if role else "")
            user = mail_new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[company.id],
            )
            setattr(cls, attribute, user)
        cls.user_portal = mail_new_test_user(
            cls.env,
            login="hyg_portal",
            groups="base.group_portal",
            name="Paula Portal",
            email="paula.portal@example.com",
        )
        cls.purpose_newsletter = cls.env.ref("partner_data_hygiene.purpose_newsletter")
        cls.purpose_sms = cls.env.ref("partner_data_hygiene.purpose_sms_offers")
        cls.wording_newsletter = cls.env.ref("partner_data_hygiene.purpose_newsletter_wording_v1")
        cls.source_shop = cls.env.ref("partner_data_hygiene.source_shop")
        cls.source_fair = cls.env.ref("partner_data_hygiene.source_fair")
        Partner = cls.env["res.partner"]
        cls.jeanne = Partner.create(
            {"name": "Jeanne Lefèvre", "email": "Jeanne.Lefevre@Example.fr", "phone": "0612345678"}
        )
        cls.marc = Partner.create({"name": "Marc Dubois", "email": "marc.dubois@example.fr"})

    def _consent(self, partner, action, purpose=None, **values):
        return self.env["hygiene.consent"].create(
            {
                "partner_id": partner.id,
                "purpose_id": (purpose or self.purpose_newsletter).id,
                "action": action,
                "channel": values.pop("channel", "web_form"),
                **values,
            }
        )

    def _state(self, partner, purpose=None):
        purpose = purpose or self.purpose_newsletter
        return (
            self.env["hygiene.consent.state"]
            .search([("partner_id", "=", partner.id), ("purpose_id", "=", purpose.id)])
            .state
        )
