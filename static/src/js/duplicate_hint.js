import { Component, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useRecordObserver } from "@web/model/relational_model/utils";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * Live, non-blocking duplicate warning for forms of other apps (the CRM lead form): while the
 * user types a contact, the probable existing contacts are named with why and a link. The look-up
 * is the partner form's own (stored, indexed keys, the user's access rights), asked again only
 * when one of the contact values changes.
 */
export class HygieneDuplicateHint extends Component {
    static template = "partner_data_hygiene.DuplicateHint";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ matches: [] });
        this.lastQuery = null;
        useRecordObserver((record) => this.refresh(record));
    }

    contactValues(record) {
        const data = record.data;
        return {
            name: data.contact_name || false,
            company_name: data.partner_name || false,
            email: data.email_from || false,
            phone: data.phone || false,
            mobile: data.mobile || false,
            zip: data.zip || false,
            city: data.city || false,
            country_id: data.country_id ? data.country_id.id : false,
            partner_id: data.partner_id ? data.partner_id.id : false,
        };
    }

    async refresh(record) {
        const values = this.contactValues(record);
        const query = JSON.stringify(values);
        if (query === this.lastQuery) {
            return;
        }
        this.lastQuery = query;
        const matches = await this.orm.silent.call("res.partner", "hygiene_duplicate_hint", [
            values,
        ]);
        if (query === this.lastQuery) {
            this.state.matches = matches;
        }
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
    fieldDependencies: [
        { name: "contact_name", type: "char" },
        { name: "partner_name", type: "char" },
        { name: "email_from", type: "char" },
        { name: "phone", type: "char" },
        { name: "mobile", type: "char" },
        { name: "zip", type: "char" },
        { name: "city", type: "char" },
        { name: "country_id", type: "many2one" },
        { name: "partner_id", type: "many2one" },
    ],
});
