from . import hygiene_consent_wizard
