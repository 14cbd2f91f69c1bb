"""Sources of the last activity of a contact: only events that come from the person (CNIL).

An email open (tracking pixel), an internal edit, an import or a scheduled job is not a contact
from the person and never appears here.
"""

ACTIVITY_SOURCES = [
    ("inbound_email", "Inbound email"),
    ("portal_message", "Portal message"),
    ("portal_login", "Portal login"),
    ("sale_order", "Confirmed order"),
    ("invoice", "Customer invoice"),
    ("mailing_click", "Click in a mailing"),
    ("website_form", "Website form"),
    ("consent", "Consent given by the person"),
    ("history", "Historical activity (imported with its source)"),
    ("details_check", "Details checked by the person"),
]
