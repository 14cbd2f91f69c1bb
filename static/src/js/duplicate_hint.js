import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { HygieneLeadLookup, leadFieldDependencies } from "./lead_lookup";

/**
 * Live, non-blocking duplicate warning for forms of other apps (the CRM lead form): while the
 * user types a contact, the probable existing contacts are named with why and a link. The look-up
 * is the partner form's own (stored, indexed keys, the user's access rights).
 */
export class HygieneDuplicateHint extends HygieneLeadLookup {
    static template = "partner_data_hygiene.DuplicateHint";
    static leadFields = {
        contact_name: "name",
        partner_name: "company_name",
        email_from: "email",
        phone: "phone",
        mobile: "mobile",
        zip: "zip",
        city: "city",
        country_id: "country_id",
        partner_id: "partner_id",
    };
    static lookupModel = "res.partner";
    static lookupMethod = "hygiene_duplicate_hint";

    setup() {
        super.setup();
        this.action = useService("action");
    }

    openPartner(partnerId) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: partnerId,
            views: [[false, "form"]],
            target: "new",
        });
    }
}

registry.category("view_widgets").add("hygiene_duplicate_hint", {
    component: HygieneDuplicateHint,
    fieldDependencies: leadFieldDependencies(HygieneDuplicateHint.leadFields, [
        "country_id",
        "partner_id",
    ]),
});
