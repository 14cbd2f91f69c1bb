from . import hygiene_consent_wizard
from . import hygiene_suppression_lookup
