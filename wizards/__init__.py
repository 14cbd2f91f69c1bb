from . import hygiene_consent_wizard
from . import hygiene_suppression_lookup
from . import hygiene_duplicate_merge_wizard
from . import hygiene_retention_preview
from . import hygiene_duplicate_compare
from . import base_partner_merge
