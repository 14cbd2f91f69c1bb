import functools
import json

from odoo import api, models
from odoo.tools import SQL, split_every

from ..const import DEDUP_MODEL, DEDUP_USE_LEARNT_WEIGHTS, get_param
from ..tools import normalize
from ..tools.matching import weights as fs_weights


class HygieneDuplicateGroup(models.Model):
    """The Fellegi-Sunter model of the scan: learnt from the base (tools/matching/weights.py),
    stored as JSON in DEDUP_MODEL, used when DEDUP_USE_LEARNT_WEIGHTS is set (off by default:
    see readme/USAGE.md for the figures)."""

    _inherit = "hygiene.duplicate.group"

    @api.model
    def _hygiene_model(self):
        """The stored Fellegi-Sunter model (``_hygiene_learn_weights``), or None."""
        text = get_param(self.env, DEDUP_MODEL)
        try:
            model = json.loads(text) if text else None
        except ValueError:
            return None
        return model if isinstance(model, dict) and model.get("weights") else None

    @api.model
    def _hygiene_scan_model(self):
        """The model the scan scores with: the learnt one when the setting says so."""
        return self._hygiene_model() if get_param(self.env, DEDUP_USE_LEARNT_WEIGHTS) else None

    @api.model
    def _hygiene_learn_weights(self, seed=16):
        """Learn the comparison weights from the base (EM, unsupervised: u from random pairs, m
        on the blocked pairs), refined by the stewards' decisions: the contacts of a merged
        group are one person, the pairs marked "not duplicates" two. Stored as JSON in
        MODEL_PARAM; the same base and decisions give the same model. Returns it."""
        self.check_access("write")
        self.env.flush_all()
        features = self._scan_features()
        merged = self.search([("state", "=", "merged")])
        matches = []
        for group in merged:
            ids = sorted(group.with_context(active_test=False).partner_ids.ids)
            matches += [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
        decided = sorted({pid for pair in matches for pid in pair} - set(features))
        for batch in split_every(10000, decided):
            features.update(self._partner_features(SQL("id = ANY(%s)", list(batch))))
        non_matches = sorted(self.env["hygiene.duplicate.exclusion"]._excluded_pairs())
        model = fs_weights.estimate(
            features,
            phonetic=functools.lru_cache(maxsize=200000)(normalize.phonetic_key),
            matches=matches,
            non_matches=non_matches,
            seed=seed,
        )
        if model:
            self.env["ir.config_parameter"].sudo().set_param(
                DEDUP_MODEL, json.dumps(model, sort_keys=True)
            )
        return model
