import { Component, useState } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { useRecordObserver } from "@web/model/relational_model/utils";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * A read-only look-up shown on forms of other apps (the CRM lead form): while the user types,
 * the server method `lookupModel.lookupMethod` is asked about the contact values of the record,
 * again only when one of them changes, and the answer of the latest question wins. What the
 * server says goes to `state.items`; nothing is changed in the record.
 */
export class HygieneLeadLookup extends Component {
    static props = { ...standardWidgetProps };
    // field of the lead -> key the server method reads
    static leadFields = {};
    static lookupModel = "";
    static lookupMethod = "";

    setup() {
        this.orm = useService("orm");
        this.state = useState({ items: [] });
        this.lastQuery = null;
        useRecordObserver((record) => this.refresh(record));
    }

    contactValues(record) {
        const values = {};
        for (const [field, key] of Object.entries(this.constructor.leadFields)) {
            const value = record.data[field];
            values[key] = value && value.id !== undefined ? value.id : value || false;
        }
        return values;
    }

    async refresh(record) {
        const values = this.contactValues(record);
        const query = JSON.stringify(values);
        if (query === this.lastQuery) {
            return;
        }
        this.lastQuery = query;
        const { lookupModel, lookupMethod } = this.constructor;
        const items = await this.orm.silent.call(lookupModel, lookupMethod, [values]);
        if (query === this.lastQuery) {
            this.state.items = items;
        }
    }
}

/** The widget's field dependencies, from the lead fields it reads. */
export function leadFieldDependencies(leadFields, many2ones) {
    return Object.keys(leadFields).map((name) => ({
        name,
        type: many2ones.includes(name) ? "many2one" : "char",
    }));
}
