"""The personal-data export of a data subject (GDPR Art. 15 and 20): one ZIP holding

- ``personal_data.json``: UTF-8, ISO-8601 dates, ``{"schema": SCHEMA_ID, "schema_version": ...,
  "generated_at", "about": {Art. 15(1) information}, "tables": {name: [rows]}}``;
- ``<table>.csv``: one CSV per table (UTF-8 with BOM for spreadsheets, formula-safe cells);
- ``schema.json``: the JSON Schema of the JSON file, so that a receiving service can check it.

Pure Python (no Odoo import): the service gathers the rows, this module writes the files.
"""

import csv
import datetime
import io
import json
import zipfile

from .export import safe_cell

SCHEMA_ID = "https://partner-data-hygiene.example/schemas/personal-data-export"
SCHEMA_VERSION = "1.0"

# table -> ordered columns; the documentation of each table is in the schema below
TABLES = {
    "partner": [
        "id",
        "name",
        "email",
        "phone",
        "mobile",
        "street",
        "street2",
        "zip",
        "city",
        "state",
        "country",
        "vat",
        "company_name",
        "function",
        "website",
        "lang",
        "birthdate",
        "created_on",
        "last_activity_date",
        "last_activity_source",
    ],
    "addresses": ["id", "type", "name", "street", "street2", "zip", "city", "country", "phone"],
    "contacts": ["id", "name", "email", "phone", "function"],
    "origins": ["source", "channel", "collected_on", "identifier", "note"],
    "consents": [
        "purpose",
        "action",
        "state",
        "date",
        "channel",
        "wording_version",
        "wording_sha256",
        "ip_address",
        "user_agent",
    ],
    "requests": ["reference", "type", "channel", "received_on", "deadline", "state"],
    "orders": ["reference", "date", "state", "amount_total", "currency"],
    "invoices": ["reference", "date", "type", "state", "amount_total", "currency"],
    "leads": ["name", "created_on", "email", "phone", "stage"],
    "mailing_subscriptions": ["list", "email", "opted_out", "subscribed_on"],
    "messages": ["date", "type", "subject", "body"],
}

TABLE_DOC = {
    "partner": "The contact record of the person.",
    "addresses": "Delivery, invoice and other addresses under the contact.",
    "contacts": "Contacts the person manages (child contacts of a company).",
    "origins": "Where the data was collected: source, date, identifier in the source.",
    "consents": "Every consent event (grant, withdrawal, refusal) with its proof.",
    "requests": "The person's data-subject requests and their handling.",
    "orders": "Sales order headers the person is party to (when Sales is installed).",
    "invoices": "Posted customer invoice headers (when Invoicing is installed).",
    "leads": "CRM leads about the person (when CRM is installed).",
    "mailing_subscriptions": "Mailing list subscriptions of the person's address.",
    "messages": "Messages the person wrote (never internal notes or other people's messages).",
}


def json_schema():
    """The JSON Schema (draft 2020-12) of ``personal_data.json``, version SCHEMA_VERSION."""
    cell = {"type": ["string", "number", "boolean", "null"]}
    tables = {
        name: {
            "description": TABLE_DOC[name],
            "type": "array",
            "items": {
                "type": "object",
                "properties": {column: cell for column in columns},
                "required": columns,
                "additionalProperties": False,
            },
        }
        for name, columns in TABLES.items()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_ID}/{SCHEMA_VERSION}",
        "title": "Personal data export (GDPR Art. 15 and 20)",
        "type": "object",
        "required": ["schema", "schema_version", "generated_at", "about", "tables"],
        "properties": {
            "schema": {"const": SCHEMA_ID},
            "schema_version": {"const": SCHEMA_VERSION},
            "generated_at": {"type": "string", "format": "date-time"},
            "about": {
                "description": "Art. 15(1): purposes, categories, recipients, retention, "
                "rights, complaint, source.",
                "type": "object",
                "required": [
                    "controller",
                    "purposes",
                    "categories",
                    "recipients",
                    "retention",
                    "rights",
                    "complaint",
                    "sources",
                    "automated_decisions",
                ],
            },
            "tables": {
                "type": "object",
                "properties": tables,
                "required": list(TABLES),
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }


def _plain(value):
    """JSON-able value: dates in ISO-8601, False (Odoo's empty) as null."""
    if value is False or value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def normalise_tables(tables):
    """Every table of TABLES present, each row with exactly its columns."""
    result = {}
    for name, columns in TABLES.items():
        result[name] = [
            {column: _plain(row.get(column)) for column in columns} for row in tables.get(name, ())
        ]
    return result


def build_document(about, tables, generated_at):
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "generated_at": _plain(generated_at),
        "about": about,
        "tables": normalise_tables(tables),
    }


def table_csv(name, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = TABLES[name]
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            ["" if row.get(column) is None else safe_cell(str(row[column])) for column in columns]
        )
    return "\ufeff" + buffer.getvalue()


def build_zip(document):
    """The ZIP bytes of ``document`` (see build_document)."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "personal_data.json", json.dumps(document, ensure_ascii=False, indent=1).encode()
        )
        archive.writestr("schema.json", json.dumps(json_schema(), indent=1))
        for name, rows in document["tables"].items():
            archive.writestr(f"{name}.csv", table_csv(name, rows).encode())
    return output.getvalue()
