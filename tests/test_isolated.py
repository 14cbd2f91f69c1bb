"""The one "savepoint, else one by one" helper (base._hygiene_isolated)."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import HygieneCommon


@tagged("post_install", "-at_install")
class TestIsolated(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.env["res.partner"].create(
            [{"name": "Isolated A"}, {"name": "Isolated B"}, {"name": "Isolated C"}]
        )

    def _rename(self, bad):
        def function(ids):
            records = self.partners.browse(ids)
            records.write({"ref": "touched"})
            if bad in ids:
                message = "refused"
                raise UserError(message)
            return len(ids)

        return function

    def test_batch_passes_in_one_call(self):
        outcome = self.env["res.partner"]._hygiene_isolated(self.partners.ids, self._rename(0))
        self.assertEqual(outcome, {"ok": [(self.partners.ids, 3)], "failed": []})
        self.assertEqual(set(self.partners.mapped("ref")), {"touched"})

    def test_failing_item_is_isolated_and_its_work_rolled_back(self):
        a, b, c = self.partners
        outcome = self.env["res.partner"]._hygiene_isolated(
            self.partners.ids, self._rename(b.id), errors=UserError
        )
        self.assertEqual(outcome["ok"], [([a.id], 1), ([c.id], 1)])
        self.assertEqual(
            [(item, type(err)) for item, err in outcome["failed"]], [(b.id, UserError)]
        )
        self.assertEqual(a.ref, "touched")
        self.assertFalse(b.ref)
        self.assertEqual(c.ref, "touched")

    def test_other_errors_propagate(self):
        def function(ids):
            raise KeyError("not isolated")

        with self.assertRaises(KeyError):
            self.env["res.partner"]._hygiene_isolated(self.partners.ids, function, errors=UserError)
