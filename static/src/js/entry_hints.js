import { Component, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useRecordObserver } from "@web/model/relational_model/utils";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * Hints as typed on forms of other apps (the CRM lead form): what looks wrong in the email,
 * phones, postcode and town, with the phones in the national format. The checks are the
 * contact form's own (hygiene.entry.rules); nothing is changed in the record.
 */
export class HygieneEntryHints extends Component {
    static template = "partner_data_hygiene.EntryHints";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ hints: [] });
        this.lastQuery = null;
        useRecordObserver((record) => this.refresh(record));
    }

    async refresh(record) {
        const data = record.data;
        const values = {
            email: data.email_from || false,
            phone: data.phone || false,
            mobile: data.mobile || false,
            zip: data.zip || false,
            city: data.city || false,
            country_id: data.country_id ? data.country_id.id : false,
        };
        const query = JSON.stringify(values);
        if (query === this.lastQuery) {
            return;
        }
        this.lastQuery = query;
        const hints = await this.orm.silent.call("hygiene.entry.rules", "hygiene_value_hints", [
            values,
        ]);
        if (query === this.lastQuery) {
            this.state.hints = hints;
        }
    }
}

registry.category("view_widgets").add("hygiene_entry_hints", {
    component: HygieneEntryHints,
    fieldDependencies: [
        { name: "email_from", type: "char" },
        { name: "phone", type: "char" },
        { name: "mobile", type: "char" },
        { name: "zip", type: "char" },
        { name: "city", type: "char" },
        { name: "country_id", type: "many2one" },
    ],
});
