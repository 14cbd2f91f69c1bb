import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("partner_data_hygiene_lead_duplicate_hint", {
    url: "/odoo/action-crm.crm_lead_all_leads/new",
    steps: () => [
        {
            content: "Type the email of an existing contact, written differently",
            trigger: ".o_field_widget[name=email_from] input",
            run: "edit  Jeanne.LEFEVRE+salon@example.fr ",
        },
        {
            content: "Leave the field so the value is committed",
            trigger: ".o_field_widget[name=contact_name] input",
            run: "click",
        },
        {
            content: "The warning names the existing contact and why",
            trigger: ".o_hygiene_duplicate_hint:contains(Jeanne Lefèvre):contains(same email)",
        },
        {
            content: "The link opens the existing contact",
            trigger: ".o_hygiene_duplicate_hint a",
            run: "click",
        },
        {
            content: "The contact is shown",
            trigger: ".modal .o_form_view .o_field_widget[name=name] input:value(Jeanne Lefèvre)",
        },
        {
            content: "Close the contact",
            trigger: ".modal .btn-close",
            run: "click",
        },
        {
            content: "Type a mobile number as people do",
            trigger: ".o_field_widget[name=mobile] input",
            run: "edit 0612345678",
        },
        {
            content: "Leave the field so the value is committed",
            trigger: ".o_field_widget[name=contact_name] input",
            run: "click",
        },
        {
            content: "The entry hints offer the number in the national format",
            trigger: ".o_hygiene_entry_hints li[data-field=mobile]:contains(06 12 34 56 78)",
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
