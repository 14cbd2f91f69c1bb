import base64
import json
import logging

from odoo.tests.common import JsonRpcException

from odoo.addons.base.tests.common import BaseCommon
from odoo.addons.mail.tests.common import mail_new_test_user

from ..models.res_partner_matching import KEY_FIELDS
from ..tools.matching import partner_keys


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


_logger = logging.getLogger(__name__)


def company_user(env, login, groups, company):
    """A user of ``company`` only, with ``groups`` (xml ids) beside employee and contact
    creation; the password is the login, for the RPC sessions of the attackers' passes."""
    user = mail_new_test_user(
        env,
        login=login,
        groups=",".join(("base.group_user", "base.group_partner_manager", *groups)),
        company_id=company.id,
        company_ids=[company.id],
    )
    user.password = login
    return user


class HygieneRpcMixin:
    """Helpers of the tests acting over real JSON-RPC sessions as the role users of
    :class:`HygieneCommon` (the attackers' passes): to be listed before ``HttpCase`` and
    ``HygieneCommon`` in the bases of the test class, whose setup it completes."""

    # the sessions log in with the login as password: set once for the class, not per call
    RPC_LOGINS = (
        "hyg_employee",
        "hyg_user",
        "hyg_steward",
        "hyg_officer",
        "hyg_manager",
        "hyg_portal",
    )
    # the region of the expected keys of a contact without a country: the main company's, as
    # the passes up to the fourth were written; the fifth pass's fix reads the country of the
    # contact's company first (its class sets this)
    KEYS_FOLLOW_COMPANY_COUNTRY = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for login in cls.RPC_LOGINS:
            cls.env["res.users"].search([("login", "=", login)]).password = login
        cls.be = cls.env.ref("base.be")
        cls.fr = cls.env.ref("base.fr")
        cls.main = cls.env.ref("base.main_company")

    def _call(self, login, model, method, args, kwargs=None, password=None):
        """``model.method(*args, **kwargs)`` through /web/dataset/call_kw in a new session of
        ``login``, as the web client sends it."""
        self.authenticate(login, password or login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def _try(self, login, model, method, args, kwargs=None):
        """The call's result, or None when the server refused it."""
        try:
            result = self._call(login, model, method, args, kwargs)
        except JsonRpcException as error:
            _logger.info("refused %s %s.%s: %s", login, model, method, str(error)[:160])
            return None
        _logger.info("accepted %s %s.%s: %s", login, model, method, str(result)[:300])
        return result

    def _salesman(self, login):
        """A salesperson of the main company with no hygiene role."""
        return company_user(
            self.env, login, ["sales_team.group_sale_salesman_all_leads"], self.main
        )

    def _set_own_default(self, login, model, name, value):
        """The user's own default, as the debug menu's *Set Defaults* stores it over RPC."""
        return self._call(login, "ir.default", "set", [model, name, value], {"user_id": True})

    def _stored_default(self, login, model, name, value):
        """An ``ir.default`` row of the user, as one stored before the addon refused them (an
        upgraded database keeps them: no migration removes them)."""
        user = self.env["res.users"].search([("login", "=", login)])
        self.env["ir.default"].sudo().create(
            {
                "field_id": self.env["ir.model.fields"]._get(model, name).id,
                "user_id": user.id,
                "json_value": json.dumps(value),
            }
        )

    def _withdrawal(self, login, context=None):
        """A withdrawal of Marc's newsletter consent by phone, with ``context`` if given."""
        return self._call(
            login,
            "hygiene.consent",
            "create",
            [
                {
                    "partner_id": self.marc.id,
                    "purpose_id": self.purpose_newsletter.id,
                    "action": "withdraw",
                    "channel": "phone",
                }
            ],
            None if context is None else {"context": context},
        )

    def _marc_blacklist(self):
        return (
            self.env["mail.blacklist"]
            .with_context(active_test=False)
            .search([("email", "=", "marc.dubois@example.fr")])
        )

    def _consent_wizard(self, login, channel, kwargs=None, **values):
        """A *Record Consent* wizard granting Marc the newsletter, created by ``login``."""
        vals = {
            "partner_id": self.marc.id,
            "purpose_id": self.purpose_newsletter.id,
            "action": "grant",
            "channel": channel,
            **values,
        }
        return self._call(login, "hygiene.consent.wizard", "create", [vals], kwargs)

    def _import_batch(self, content, name, mapping=None):
        """An import of the CSV ``content`` by the steward, read and staged; ``mapping`` maps
        columns to the fields they are to fill before staging."""
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(content),
                    "raw_filename": name,
                    "source_id": self.source_shop.id,
                }
            )
        )
        batch.action_read_file()
        for column, target in (mapping or {}).items():
            batch.mapping_ids.filtered(lambda m, column=column: m.column == column).write(
                {"target": target}
            )
        batch.action_stage()
        return batch

    def _restricted_contact(self, name, email, **request_values):
        """A contact under an open restriction request (GDPR Art. 18), and that request."""
        partner = self.env["res.partner"].create({"name": name, "email": email})
        request = (
            self.env["hygiene.privacy.request"]
            .sudo()
            .create(
                {
                    "request_type": "restriction",
                    "channel": "email",
                    "partner_id": partner.id,
                    "requester_email": partner.email,
                    **request_values,
                }
            )
        )
        partner.invalidate_recordset()
        self.assertTrue(partner.hygiene_restricted, "setup: the restriction holds")
        return partner, request

    def _expected_keys(self, partner):
        """The matching keys computed afresh from the partner's stored values."""
        partner.invalidate_recordset()
        region = partner.country_id.code
        if self.KEYS_FOLLOW_COMPANY_COUNTRY:
            region = region or partner.company_id.country_id.code
        expected = partner_keys(
            partner.name,
            partner.email,
            partner.phone,
            partner.mobile,
            partner.vat,
            partner.company_registry,
            partner.is_company,
            region or partner._hygiene_default_region(),
        )
        return {field: expected[field] or None for field in KEY_FIELDS}

    def _assert_keys_fresh(self, partner, label=""):
        expected = self._expected_keys(partner)
        stored = {field: partner[field] or None for field in KEY_FIELDS}
        self.assertEqual(
            stored, expected, f"stale matching keys {label} (country {partner.country_id.code})"
        )
