"""What anonymisation writes, and where: the pure part of the retention engine.

Anonymised data must leave no way to single a person out, link records or infer who they were
(WP29 Opinion 05/2014, CNIL SAN-2024-013). So the replacement values are constants, the same for
everybody: no initials, no date, no id of the person. Where a column must stay unique (a login,
an account number), a random token is used, which says nothing about the person either.

The models decide which tables exist; this module only says which columns are emptied, which
are replaced and which are kept, so that it can be tested without a database.
"""

import re
import secrets

PARTNER_NAME = "Anonymised contact"
LEAD_NAME = "Anonymised lead"
EVENT_NAME = "Anonymised meeting"
LINE_NAME = "Anonymised line"
PLACEHOLDERS = frozenset({PARTNER_NAME, LEAD_NAME, EVENT_NAME, LINE_NAME})
USER_LOGIN_PREFIX = "anonymised-"
BANK_ACCOUNT_PREFIX = "ANONYMISED-"
MESSAGE_BODY = ""

# Partner columns a legal hold keeps (the name and address printed on invoices, Code de
# commerce L123-22): everything else is anonymised at once, these when the hold ends.
HOLD_KEPT_PARTNER_COLUMNS = frozenset(
    {
        "name",
        "complete_name",
        "display_name",
        "commercial_company_name",
        "company_name",
        "street",
        "street2",
        "zip",
        "city",
        "vat",
        "company_registry",
        # the partner's printed name on its invoices (account)
        "invoice_partner_display_name",
        # the officer's reason for the hold, blanked when the hold ends
        "hygiene_hold_reason",
    }
)

# What a payment transaction of a partner under the accounting hold keeps: the payer as on the
# invoice it pays, a supporting document of a posted payment (not their email or phone).
HOLD_KEPT_TRANSACTION_COLUMNS = frozenset(
    {"partner_name", "partner_address", "partner_zip", "partner_city"}
)

# What a legal hold keeps, as (table, column): the columns above on the partner, and the name
# printed on its invoices. The files of a held invoice (its PDF and its electronic invoice,
# Factur-X / UBL XML, which carry the customer's email and phone) stay too, as issued, without
# their searchable copy; all of it goes when the hold ends (README, "Legal hold").
HOLD_KEPT_COLUMNS = frozenset(
    {("res_partner", column) for column in HOLD_KEPT_PARTNER_COLUMNS}
    | {
        ("account_move", "invoice_partner_display_name"),
        # the customer's reference printed on the invoice, and copied by the labels of its
        # journal items (accounting entries as posted, part of their integrity hash)
        ("account_move", "ref"),
        ("account_move_line", "ref"),
        ("account_move_line", "name"),
        # the terms printed on the invoice, when they were typed with the person's name
        ("account_move", "narration"),
        # a registered payment as posted: its memo is the label of its journal items
        ("account_payment", "memo"),
        ("account_payment", "payment_reference"),
    }
    # the payer of a transaction, as on the invoice it pays (models/erasers/payment.py)
    | {("payment_transaction", column) for column in HOLD_KEPT_TRANSACTION_COLUMNS}
)

# Text columns that are technical, never personal, and that some code relies on: kept in every
# table, and per table below.
KEPT_EVERYWHERE = frozenset({"model", "res_model", "access_token", "message_id"})
KEPT_TEXT_COLUMNS = {
    "res_partner": frozenset({"type", "lang", "tz", "company_type"}),
    "res_users": frozenset({"login", "notification_type", "odoobot_state"}),
    "crm_lead": frozenset({"type", "priority"}),
    "mailing_trace": frozenset({"trace_type", "trace_status", "failure_type"}),
    "mail_message": frozenset({"message_type"}),
}

# Columns replaced by a constant instead of emptied (they are required, or code reads them).
REPLACED_TEXT_COLUMNS = {
    "res_partner": {"name": PARTNER_NAME, "complete_name": PARTNER_NAME},
    "crm_lead": {"name": LEAD_NAME},
    "mail_message": {"body": MESSAGE_BODY},
}

# Date columns that describe the person (a birth date); any date column whose name contains
# one of these words is emptied on the partner.
PERSONAL_DATE_WORDS = ("birth",)

# Identifying text of a person: values shorter than this are too common to look for in other
# records (tracking values, recipients) without hitting other people.
MIN_IDENTIFIER_LENGTH = 4


def random_token():
    """A random token for columns that must stay unique; carries nothing of the person."""
    return secrets.token_hex(8)


def anonymised_login():
    return f"{USER_LOGIN_PREFIX}{random_token()}@anonymised.invalid"


def anonymised_bank_account():
    return f"{BANK_ACCOUNT_PREFIX}{random_token().upper()}"


def columns_to_blank(table, text_columns, held=False):
    """Split the text columns of ``table`` into (columns to empty, {column: replacement}).

    ``text_columns`` are the stored char/text/html/json columns of the table; ``held`` keeps the
    columns a legal hold protects (partners only).
    """
    kept = set(KEPT_EVERYWHERE) | set(KEPT_TEXT_COLUMNS.get(table, ()))
    replaced = dict(REPLACED_TEXT_COLUMNS.get(table, {}))
    if held and table == "res_partner":
        kept |= HOLD_KEPT_PARTNER_COLUMNS
        replaced = {col: value for col, value in replaced.items() if col not in kept}
    blank = sorted(col for col in text_columns if col not in kept and col not in replaced)
    replace = {col: value for col, value in replaced.items() if col in text_columns}
    return blank, replace


def personal_date_columns(date_columns):
    return sorted(
        col for col in date_columns if any(word in col.lower() for word in PERSONAL_DATE_WORDS)
    )


def identifiers(values):
    """The distinct identifying strings of a person worth looking for elsewhere: non-empty,
    stripped, at least MIN_IDENTIFIER_LENGTH characters, placeholders excluded."""
    result = []
    for value in values:
        if not isinstance(value, str):
            continue
        value = value.strip()
        if len(value) < MIN_IDENTIFIER_LENGTH or value in PLACEHOLDERS:
            continue
        if value not in result:
            result.append(value)
    return result


def like_pattern(value):
    """An ILIKE pattern matching ``value`` anywhere, its wildcards escaped (``_`` and ``%`` in
    an email must not match other addresses)."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", value) + "%"
