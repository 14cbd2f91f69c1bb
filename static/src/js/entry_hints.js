import { registry } from "@web/core/registry";
import { HygieneLeadLookup, leadFieldDependencies } from "./lead_lookup";

/**
 * Hints as typed on forms of other apps (the CRM lead form): what looks wrong in the email,
 * phones, postcode and town, with the phones in the national format. The checks are the
 * contact form's own (hygiene.entry.rules).
 */
export class HygieneEntryHints extends HygieneLeadLookup {
    static template = "partner_data_hygiene.EntryHints";
    static leadFields = {
        email_from: "email",
        phone: "phone",
        mobile: "mobile",
        zip: "zip",
        city: "city",
        country_id: "country_id",
    };
    static lookupModel = "hygiene.entry.rules";
    static lookupMethod = "hygiene_value_hints";
}

registry.category("view_widgets").add("hygiene_entry_hints", {
    component: HygieneEntryHints,
    fieldDependencies: leadFieldDependencies(HygieneEntryHints.leadFields, ["country_id"]),
});
