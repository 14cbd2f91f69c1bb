"""Duplicate detection without the ORM, one matcher for the scan, the import and the live warning.

- ``features``: what the matcher knows of a record (``Features``) and value comparisons;
- ``blocking``: candidate pairs (records sharing a key), oversized blocks counted;
- ``scoring``: evidence of a pair (Fellegi-Sunter log-odds), its reasons and its conflicts;
- ``clustering``: non-chaining clusters, and ``find_groups`` (the three steps together).

A partner is described by a small tuple of normalised features; candidate pairs come from
blocking keys (mostly stored, indexed keys); each pair gets additive evidence (agreements add,
disagreements subtract), turned into a score between 0 and 1, with the reasons a person can check
("same email; name 0.93"). Clusters are built by complete linkage: two clusters join only if every
pair across them scores above a floor, so a chain A~B~C never drags unrelated people together.
"""

from .blocking import BLOCK_CAP, KIND_CAPS, candidate_blocks
from .clustering import cluster, drop_ambiguous_links, find_groups, pair_evidence
from .features import (
    GENERIC_LOCALS,
    Features,
    fold_city,
    is_generic_email,
    is_mobile,
    is_same_street,
    name_similarity,
    name_statistics,
    partner_keys,
    record_features,
)
from .scoring import (
    AMBIGUITY_MARGIN,
    CONFLICTS,
    LINK_FLOOR,
    OFFSET,
    REASON_TEMPLATES,
    SAME_CUSTOMER,
    SCORE_AUTO,
    SCORE_REVIEW,
    SLIP_FIELDS,
    DEFAULT_WEIGHTS,
    SOFT_CONFLICTS,
    birthdate_evidence,
    comparison_levels,
    conflict_kinds,
    is_conflict,
    keeps_apart,
    name_rarity,
    reason_templates,
    same_customer,
    score_pair,
)
