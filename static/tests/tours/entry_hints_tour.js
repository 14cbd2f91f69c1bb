import { registry } from "@web/core/registry";

// Rules at entry (issue 19): the hints shown while typing, on the contact form and the lead form.
registry.category("web_tour.tours").add("partner_data_hygiene_contact_entry_hints", {
    url: "/odoo/action-contacts.action_contacts/new",
    steps: () => [
        {
            content: "Type a name",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Typed Person",
        },
        {
            content: "Type an email with a typo in its domain",
            trigger: ".o_field_widget[name=email] input",
            run: "edit typed.person@gmial.com",
        },
        {
            content: "Leave the field so the value is committed",
            trigger: ".o_field_widget[name=name] input",
            run: "click",
        },
        {
            content: "The hint suggests the right domain, the value stays as typed",
            trigger: ".o_hygiene_entry_hints:contains(gmail.com)",
        },
        {
            content: "The email is not changed",
            trigger: ".o_field_widget[name=email] input:value(typed.person@gmial.com)",
        },
        {
            content: "Discard",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Nothing left in edition",
            trigger: ".o_list_view, .o_kanban_view, .o_form_saved",
        },
    ],
});

registry.category("web_tour.tours").add("partner_data_hygiene_lead_entry_hints", {
    url: "/odoo/action-crm.crm_lead_all_leads/new",
    steps: () => [
        {
            content: "Type a French mobile number",
            trigger: ".o_field_widget[name=mobile] input",
            run: "edit +33612345678",
        },
        {
            content: "Leave the field so the value is committed",
            trigger: ".o_field_widget[name=contact_name] input",
            run: "click",
        },
        {
            content: "The mobile is shown in the national format",
            trigger: ".o_hygiene_entry_hints:contains(06 12 34 56 78)",
        },
        {
            content: "Discard the lead being typed",
            trigger: ".o_form_view:not(.modal *) .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Nothing left in edition",
            trigger: "body:not(:has(.modal)) .o_form_view .o_form_saved, .o_list_view, .o_kanban_view",
        },
    ],
});
