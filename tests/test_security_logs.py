"""Security review L5: no personal data in the logs. An import (with a broken row), a merge (and
a refused one) and an erasure run with marker values; the log records they emit at the level a
production server keeps (INFO and above) hold none of the markers."""

import base64
import logging

from odoo.tests import tagged

from ..models import hygiene_import_batch
from .common import HygieneCommon

MARKERS = ("zorglubmarker", "zorglub.marker@example.fr", "0611223344", "+33611223344")


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append(record.getMessage())
        except Exception:  # noqa: BLE001 - a badly formatted record is still captured
            self.lines.append(str(record.msg))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


@tagged("post_install", "-at_install")
class TestNoPersonalDataInLogs(HygieneCommon):
    def setUp(self):
        super().setUp()
        self.capture = _Capture()
        root = logging.getLogger()
        root.addHandler(self.capture)
        self.addCleanup(root.removeHandler, self.capture)
        odoo_logger = logging.getLogger("odoo")
        previous = odoo_logger.level
        odoo_logger.setLevel(logging.INFO)
        self.addCleanup(odoo_logger.setLevel, previous)

    def assertNoMarker(self):
        text = "\n".join(self.capture.lines).lower()
        self.assertTrue(self.capture.lines, "the operations logged something")
        for marker in MARKERS:
            self.assertNotIn(marker.lower(), text)

    def test_import_merge_and_erasure(self):
        content = (
            "Prénom;Nom;Courriel;Portable\n"
            "Jean;Zorglubmarker;zorglub.marker@example.fr;0611223344\n"
            "Jean;Zorglubmarker;zorglub marker@example.fr;0611223344\n"
        ).encode()
        batch = (
            self.env["hygiene.import.batch"]
            .with_user(self.user_steward)
            .create(
                {
                    "raw_file": base64.b64encode(content),
                    "raw_filename": "zorglubmarker.csv",
                    "source_id": self.source_shop.id,
                }
            )
        )
        self.patch(hygiene_import_batch, "SYNC_LIMIT", 0)  # the cron path, which logs progress
        batch.action_read_file()
        batch.action_stage()
        for __ in range(4):
            self.env["hygiene.import.batch"]._cron_process()
        batch.action_commit()
        for __ in range(4):
            self.env["hygiene.import.batch"]._cron_process()
        self.assertEqual(batch.state, "done")
        Partner = self.env["res.partner"]
        person = Partner.search([("email", "=", "zorglub.marker@example.fr")])
        self.assertTrue(person)
        twin = Partner.create({"name": "Jean Zorglubmarker", "email": "zorglub.marker@example.fr"})
        other = Partner.create({"name": "Other Zorglubmarker"})
        steward = Partner.with_user(self.user_steward)
        refused = []
        # a batch with a refused group (merged into itself): logged, retried group by group
        steward._hygiene_merge_batch(
            [
                (person.with_user(self.user_steward), twin.with_user(self.user_steward), {}),
                (other.with_user(self.user_steward), other.with_user(self.user_steward), {}),
            ],
            refused=refused,
        )
        self.assertEqual(len(refused), 1)
        self.assertFalse(twin.active)
        person.with_user(self.user_officer).action_hygiene_erase()
        self.env["hygiene.import.batch"]._cron_process()
        self.assertNoMarker()
