# Copyright 2026 partner_data_hygiene founders
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Partner Data Hygiene",
    "summary": "Contact provenance, consent ledger with proof, last activity from the "
    "person, and the data-hygiene roles (GDPR/CNIL)",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/partner-data-hygiene/partner_data_hygiene",
    "author": "partner_data_hygiene founders",
    "maintainers": [],
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": [
        "contacts",
        "mail",
        "portal",
        "phone_validation",
        "privacy_lookup",
    ],
    "external_dependencies": {
        "python": ["rapidfuzz", "phonenumbers", "email_validator", "defusedxml"],
    },
    "data": [
        "security/hygiene_security.xml",
        "security/ir.model.access.csv",
        "data/hygiene_merge_data.xml",
        "data/hygiene_source_data.xml",
        "data/hygiene_purpose_data.xml",
        "data/hygiene_dedup_data.xml",
        "data/hygiene_import_data.xml",
        "views/hygiene_source_views.xml",
        "views/hygiene_purpose_views.xml",
        "views/hygiene_consent_views.xml",
        "views/hygiene_partner_origin_views.xml",
        "wizards/hygiene_duplicate_merge_wizard_views.xml",
        "views/hygiene_duplicate_group_views.xml",
        "views/res_partner_views.xml",
        "wizards/hygiene_consent_wizard_views.xml",
        "wizards/hygiene_suppression_lookup_views.xml",
        "views/hygiene_merge_journal_views.xml",
        "views/hygiene_menus.xml",
        "views/hygiene_import_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "partner_data_hygiene/static/src/scss/hygiene.scss",
        ],
    },
    "post_init_hook": "post_init_hook",
    "demo": [
        "demo/res.partner.csv",
        "demo/hygiene.partner.origin.csv",
        "demo/hygiene.consent.csv",
        "demo/hygiene_demo.xml",
        "demo/hygiene_demo_users.xml",
    ],
}
