import { registry } from "@web/core/registry";
import { CharField, charField } from "@web/views/fields/char/char_field";

/**
 * The name column of a list of contacts (Contacts, the retention lists): an anonymised contact
 * is named by its display name, the placeholder in the reader's language
 * (models/res_partner_anonymised.py), instead of the stored name, which is the company's
 * language's. The column stays the stored `complete_name`: search, sort, grouping and exports
 * read what is stored, only the cell of an anonymised contact says it in the reader's words.
 */
export class HygienePartnerNameField extends CharField {
    get formattedValue() {
        const data = this.props.record.data;
        if (data.hygiene_retention_state === "anonymized" && data.display_name) {
            return data.display_name;
        }
        return super.formattedValue;
    }
}

registry.category("fields").add("hygiene_partner_name", {
    ...charField,
    component: HygienePartnerNameField,
    // the fields it reads, fetched with the list's (no column for them)
    fieldDependencies: [
        { name: "display_name", type: "char" },
        { name: "hygiene_retention_state", type: "selection" },
    ],
});
