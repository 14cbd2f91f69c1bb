"""The import reads and stages its file in a stream (issue 13 §5): chunk by chunk, the same lines
as a whole read; the checks of the whole file still refuse it; no row cap on the command line."""

import base64
import functools
import io
import os
import random
import tempfile
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..cli.hygiene import run_import
from ..models import (
    hygiene_import_batch,
    hygiene_import_grouping,
    hygiene_import_matching,
    hygiene_import_reading,
)
from ..models.hygiene_duplicate_group import _pairs
from ..tools import normalize
from ..tools.matching import find_groups
from ..tools.matching.chunks import component_shares, union_linked
from .common import HygieneCommon

HEADER = "Prénom;Nom;Courriel;Date de naissance\n"
ROWS = (
    "Anne;Petit;anne.petit@example.fr;13/01/1980\n"
    "Luc;Roux;luc.roux@example.fr;05/05/1981;trop\n"  # an extra cell: an error on the row
    "Eva;Blanc;eva blanc@example.fr;\n"  # an invalid email
    "Jean;Moreau;jean.moreau@example.fr;02/03/1979\n"
    'Zoé;Faure;"zoe.faure@example.fr;01/01/1990\n'  # broken quoting: the rest is one cell
)


@tagged("post_install", "-at_install")
class TestImportStream(HygieneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Batch = cls.env["hygiene.import.batch"].with_user(cls.user_steward)

    def _staged(self, text):
        batch = self.Batch.create(
            {
                "raw_file": base64.b64encode(text.encode()),
                "raw_filename": "clients.csv",
                "source_id": self.source_shop.id,
            }
        )
        batch.action_read_file()
        batch.action_stage()
        return batch

    def _lines(self, batch):
        return [
            (line.line_number, line.raw_values, line.errors, line.error_kind, line.decision)
            for line in batch.line_ids.sorted("id")
        ]

    def test_staged_chunk_by_chunk_as_read_whole(self):
        whole = self._staged(HEADER + ROWS)
        for chunk in (1, 2, 3):
            with (
                self.subTest(chunk=chunk),
                patch.object(hygiene_import_reading, "READ_CHUNK", chunk),
            ):
                batch = self._staged(HEADER + ROWS)
                self.assertEqual(self._lines(batch), self._lines(whole))
                self.assertEqual(batch.line_count, whole.line_count)
                self.assertEqual(
                    batch.mapping_ids.mapped("sample"), whole.mapping_ids.mapped("sample")
                )
        self.assertEqual(whole.line_count, 5)
        self.assertIn("extra cells ignored", self._lines(whole)[1][2])

    def test_whole_file_checks_refuse_across_chunks(self):
        # the day-first proof in the first chunk, the month-first one in the last
        text = HEADER + ROWS.replace("02/03/1979", "03/13/1979")
        with (
            patch.object(hygiene_import_reading, "READ_CHUNK", 1),
            self.assertRaisesRegex(UserError, r"mixes two date orders.*line 2.*line 5"),
        ):
            self._staged(text)
        batch = self.Batch.search([], limit=1)
        self.assertEqual(batch.state, "draft")
        self.assertFalse(batch.line_ids, "the lines inserted before the refusal are taken back")

    def test_command_line_has_no_row_cap(self):
        handle = tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False)
        with handle:
            handle.write((HEADER + ROWS).encode())
        self.addCleanup(os.unlink, handle.name)
        with patch.object(hygiene_import_batch, "DEFAULT_MAX_ROWS", 2):
            with self.assertRaisesRegex(UserError, "more than 2 rows"):
                self._staged(HEADER + ROWS)  # the screens keep the cap
            batch = run_import(self.env, handle.name, "shop", out=io.StringIO(), commit_cr=False)
        self.assertEqual(batch.state, "staged")
        self.assertEqual(batch.line_count, 5)
        self.assertEqual(len(batch.line_ids), 5)

    def test_uploaded_file_not_indexed(self):
        batch = self._staged(HEADER + ROWS)
        batch.write({"raw_file": base64.b64encode((HEADER + ROWS).encode("utf-8-sig"))})
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", batch._name),
                ("res_field", "=", "raw_file"),
                ("res_id", "=", batch.id),
            ]
        )
        self.assertEqual(len(attachment), 1)
        self.assertNotIn("anne.petit", attachment.index_content or "")
        self.assertEqual(batch._content(), (HEADER + ROWS).encode("utf-8-sig"))
        # other text attachments are still indexed
        other = self.env["ir.attachment"].create({"name": "a.txt", "raw": b"hello world text"})
        self.assertIn("hello", other.index_content)


GROUP_HEADER = "N° client;Prénom;Nom;E-mail;Portable;CP;Ville;Date de naissance\n"
GROUP_FIRST = ["Jean", "Marie", "Pierre", "Sophie", "Luc", "Anne", "Paul", "Claire"]
GROUP_LAST = ["Dupont", "Martin", "Bernard", "Durand", "Lefèvre", "Moreau", "Garnier"]
GROUP_ZIPS = [("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille")]


def _group_file(rng):
    """A file whose rows repeat people (typos, missing email or mobile, another customer
    number), with homonyms and a mailbox shared by more rows than a block holds."""
    rows = []
    for person in range(120):
        first, last = rng.choice(GROUP_FIRST), rng.choice(GROUP_LAST)
        zip_code, city = rng.choice(GROUP_ZIPS)
        birth = f"{1 + person % 27:02d}/0{1 + person % 9}/19{50 + person % 40}"
        for copy in range(rng.choice((1, 1, 2, 3))):
            name = last
            if copy and rng.random() < 0.4:
                index = rng.randrange(1, len(last) - 1)
                name = last[:index] + last[index + 1] + last[index] + last[index + 2 :]
            email = f"{first}.{last}{person}@example.fr".lower() if rng.random() < 0.7 else ""
            mobile = f"06{person:08d}" if rng.random() < 0.6 else ""
            ref = f"C{person:04d}" if rng.random() < 0.5 else f"X{len(rows):04d}"
            birthdate = birth if rng.random() < 0.5 else ""
            rows.append(f"{ref};{first};{name};{email};{mobile};{zip_code};{city};{birthdate}")
    rows += [
        f"A{n:04d};Agent;{rng.choice(GROUP_LAST)} {n};contact@acme.fr;;75011;Paris;"
        for n in range(60)
    ]
    return GROUP_HEADER + "\n".join(rows) + "\n"


@tagged("post_install", "-at_install")
class TestImportGroupingChunks(HygieneCommon):
    """The rows of a file are grouped in chunks (``hygiene.import.grouping``: key tables,
    only the pairs at or above the threshold kept): the groups of ``find_groups`` over every
    row at once, and the same decisions, whatever the size of the chunks (issue 13 §5)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Batch = cls.env["hygiene.import.batch"]
        cls.text = _group_file(random.Random(13))
        # contacts of the base that rows of the file match (by email, by mobile)
        rows = [row.split(";") for row in cls.text.splitlines()[1:40]]
        cls.env["res.partner"].create(
            [{"name": f"{r[1]} {r[2]}", "email": r[3], "zip": r[5]} for r in rows if r[3]][:4]
            + [{"name": f"{r[1]} {r[2]}", "mobile": r[4]} for r in rows if r[4] and not r[3]][:2]
        )

    def _batch(self, match_chunk=None, group_chunk=None, text=None):
        batch = self.Batch.create(
            {
                "raw_file": base64.b64encode((text or self.text).encode()),
                "raw_filename": "clients.csv",
                "source_id": self.source_shop.id,
            }
        )
        batch.action_read_file()
        with (
            patch.object(hygiene_import_matching, "MATCH_CHUNK", match_chunk or 20000),
            patch.object(hygiene_import_grouping, "GROUP_CHUNK", group_chunk or 20000),
        ):
            batch.action_stage()
        return batch

    def _decisions(self, batch):
        lines = batch.line_ids.sorted("line_number")
        first = {line.id: line.line_number for line in lines}
        return [
            (
                line.line_number,
                line.decision,
                line.decision_reason,
                line.match_partner_id.id,
                first.get(line.match_line_id.id),
                round(line.score or 0.0, 6),
                line.reasons,
            )
            for line in lines
        ]

    def test_groups_as_find_groups_whatever_the_chunks(self):
        batch = self._batch()
        # the lines back to normalised, as the matching finds them
        self.env.cr.execute(
            "UPDATE hygiene_import_line SET state = 'normalised' WHERE batch_id = %s", [batch.id]
        )
        features = batch._line_features()
        clusters, scores, reasons, __ = find_groups(
            features,
            threshold=batch._review_threshold(),
            phonetic=functools.lru_cache(maxsize=1000)(normalize.phonetic_key),
            model=self.env["hygiene.duplicate.group"]._hygiene_scan_model(),
        )
        expected = {(tuple(ids), round(score, 6)) for ids, score in clusters}
        self.assertGreater(len(expected), 20)
        self.assertTrue(any(len(ids) > 2 for ids, __ in expected))
        grouped = [pair for ids, __ in clusters for pair in _pairs(ids) if pair in reasons]
        for match_chunk, key_chunks in ((None, 1), (None, 5), (37, None), (101, 3)):
            with (
                self.subTest(match_chunk=match_chunk, key_chunks=key_chunks),
                patch.object(hygiene_import_matching, "MATCH_CHUNK", match_chunk or 20000),
            ):
                chunks = batch._line_chunks()
                got, pair_reasons, got_features = batch._in_file_groups(chunks, key_chunks)
                self.assertEqual({(tuple(ids), round(s, 6)) for ids, s in got}, expected)
                self.assertEqual(
                    {p: pair_reasons[p] for p in grouped}, {p: reasons[p] for p in grouped}
                )
                members = {m for ids, __ in got for m in ids}
                self.assertLessEqual(members, set(got_features))
                self.assertEqual(
                    {m: got_features[m] for m in members}, {m: features[m] for m in members}
                )
        # only the pairs at or above the threshold are kept, not every pair compared
        self.assertLess(len(pair_reasons), len(scores))

    def test_same_decisions_whatever_the_chunks(self):
        whole = self._decisions(self._batch())
        self.assertTrue(any(decision[1] == "merge" for decision in whole))
        self.assertTrue(any(decision[3] for decision in whole))
        for match_chunk in (29, 100):
            with self.subTest(match_chunk=match_chunk):
                self.assertEqual(self._decisions(self._batch(match_chunk)), whole)

    def test_same_clusters_whatever_the_share_of_components(self):
        """The components of the linked pairs are clustered a share at a time: the same
        clusters, reasons and decisions whatever the size of a share; a share never cuts a
        component (a cut one would lose or split its clusters). The rows are shuffled: the
        lines of one person are far apart in the file."""
        header, *rows = self.text.splitlines(keepends=True)
        random.Random(5).shuffle(rows)
        text = header + "".join(rows)
        batch = self._batch(text=text)
        self.env.cr.execute(
            "UPDATE hygiene_import_line SET state = 'normalised' WHERE batch_id = %s", [batch.id]
        )
        chunks = batch._line_chunks()
        whole, whole_reasons, __ = batch._in_file_groups(chunks)
        expected = {(tuple(ids), round(score, 6)) for ids, score in whole}
        self.assertTrue(any(len(ids) > 2 for ids, __ in expected))
        grouped = [pair for ids, __ in whole for pair in _pairs(ids) if pair in whole_reasons]
        for group_chunk in (1, 2, 5, 40):
            with (
                self.subTest(group_chunk=group_chunk),
                patch.object(hygiene_import_grouping, "GROUP_CHUNK", group_chunk),
            ):
                shares = list(batch._in_file_group_shares(chunks))
                self.assertGreater(len(shares), 1)
                got = {(tuple(ids), round(s, 6)) for share in shares for ids, s in share[0]}
                self.assertEqual(got, expected)
                for clusters, pair_reasons, features in shares:
                    members = {m for ids, __ in clusters for m in ids}
                    self.assertLessEqual(members, set(features))
                    self.assertEqual(
                        {p: pair_reasons[p] for p in grouped if p[0] in members},
                        {p: whole_reasons[p] for p in grouped if p[0] in members},
                    )
        whole_decisions = self._decisions(self._batch(text=text))
        for group_chunk in (1, 7):
            with self.subTest(decisions=group_chunk):
                self.assertEqual(
                    self._decisions(self._batch(group_chunk=group_chunk, text=text)),
                    whole_decisions,
                )

    def test_component_shares_never_cut_a_component(self):
        parent = {}
        # components {1, 2, 3, 9} (joined last, through 9), {4, 5}, {6, 7, 8}
        union_linked(parent, [(6, 7), (1, 2), (4, 5), (2, 3), (7, 8), (9, 3), (1, 9)])
        for size, expected in (
            (1, [{1, 2, 3, 9}, {4, 5}, {6, 7, 8}]),
            (5, [{1, 2, 3, 9, 4, 5}, {6, 7, 8}]),
            (4, [{1, 2, 3, 9}, {4, 5, 6, 7, 8}]),
            (100, [set(range(1, 10))]),
        ):
            with self.subTest(size=size):
                shares = component_shares(dict(parent), size)
                got = [
                    {node for node, share in shares.items() if share == number}
                    for number in range(max(shares.values()) + 1)
                ]
                self.assertEqual(got, expected)
