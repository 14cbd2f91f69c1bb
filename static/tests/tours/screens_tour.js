/**
 * The addon's screens as each role lives them: every step clicks a real button of the web client
 * (list headers, form headers, wizards, smart buttons). Selectors use technical names only, so
 * the same tours run in English and in French; any client error or server traceback fails them.
 * Started from tests/test_screens_tour.py, which prepares the records and the user.
 */
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

const notification = (content) => ({
    content,
    trigger: ".o_notification:not(.o_notification_bar.bg-danger)",
});

const closeNotifications = {
    content: "Close the notifications",
    trigger: ".o_notification .o_notification_close",
    run: "click",
};

const confirm = {
    content: "Confirm",
    trigger: ".modal-footer .btn-primary:not([name])",
    run: "click",
};

const openMenu = (section, item) => [
    {
        content: `Open the menu ${section}`,
        trigger: `.o_menu_sections [data-menu-xmlid='${section}']`,
        run: "click",
    },
    {
        content: `Choose ${item}`,
        trigger: `.dropdown-menu [data-menu-xmlid='${item}']`,
        run: "click",
    },
];

// ----------------------------------------------------------------------- data steward

tours.add("partner_data_hygiene_steward_duplicates", {
    steps: () => [
        {
            content: "Scan Now, from the list header, without a selection",
            trigger: ".o_control_panel button[name=action_scan]",
            run: "click",
        },
        notification("The scan says what it found"),
        closeNotifications,
        {
            content: "Open the group found",
            trigger: ".o_list_view .o_data_row:contains(Tourmaline) .o_data_cell:first",
            run: "click",
        },
        {
            content: "Compare and merge",
            trigger: ".o_form_view button[name=action_compare_merge]",
            run: "click",
        },
        {
            content: "Merge from the comparison",
            trigger: ".modal button[name=action_merge]",
            run: "click",
        },
        confirm,
        {
            content: "The contact kept is shown",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=name] input",
        },
        ...openMenu(
            "partner_data_hygiene.menu_hygiene_contacts",
            "partner_data_hygiene.menu_hygiene_merge_journal"
        ),
        {
            content: "Open the merge",
            trigger: ".o_list_view .o_data_row:first .o_data_cell:first",
            run: "click",
        },
        {
            content: "Undo it",
            trigger: ".o_form_view button[name=action_undo]",
            run: "click",
        },
        confirm,
        {
            content: "The merge is undone",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=undone]",
        },
        ...openMenu(
            "partner_data_hygiene.menu_hygiene_contacts",
            "partner_data_hygiene.menu_hygiene_duplicates"
        ),
        {
            content: "The group is back to review",
            trigger: ".o_list_view .o_data_row:contains(Tourmaline) .o_data_cell:first",
            run: "click",
        },
        {
            content: "Not duplicates, from the form",
            trigger: ".o_form_view button[name=action_not_duplicates]",
            run: "click",
        },
        {
            content: "The group is dismissed",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=ignored]",
        },
    ],
});

tours.add("partner_data_hygiene_steward_import", {
    steps: () => [
        {
            content: "Read the uploaded file",
            trigger: ".o_form_view button[name=action_read_file].btn-primary",
            run: "click",
        },
        {
            content: "Its columns are proposed",
            trigger: ".o_field_widget[name=mapping_ids] .o_data_row",
        },
        {
            content: "Stage and match",
            trigger: ".o_form_view button[name=action_stage]",
            run: "click",
        },
        notification("Staging says what it found"),
        closeNotifications,
        {
            content: "The report is shown",
            trigger: ".o_notebook .nav-link.active[name=report]",
        },
        {
            content: "Dry run",
            trigger: ".o_form_view button[name=action_dry_run]",
            run: "click",
        },
        notification("The dry run says what the commit would do"),
        closeNotifications,
        {
            content: "Open the lines",
            trigger: ".o_form_view button[name=action_view_lines]",
            run: "click",
        },
        {
            content: "Open a line's form from the editable list",
            trigger: ".o_list_view .o_data_row:first .o_list_record_open_form_view button",
            run: "click",
        },
        {
            content: "The line form shows the raw values",
            trigger: ".o_form_view .o_field_widget[name=raw_values]",
        },
        {
            content: "Back to the import by the breadcrumb",
            trigger: ".o_breadcrumb .breadcrumb-item:nth-child(2) a",
            run: "click",
        },
        {
            content: "Commit",
            trigger: ".o_form_view button[name=action_commit_notify]",
            run: "click",
        },
        confirm,
        notification("The commit says what it wrote"),
        {
            content: "The import is done",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=done]",
        },
    ],
});

// ----------------------------------------------------------------------- privacy officer

tours.add("partner_data_hygiene_officer", {
    steps: () => [
        {
            content: "Export the journal as CSV without selecting anything",
            trigger: ".o_control_panel button[name=action_export_csv]",
            run: "click",
        },
        ...openMenu(
            "partner_data_hygiene.menu_hygiene_privacy",
            "partner_data_hygiene.menu_hygiene_retention_preview"
        ),
        {
            content: "The preview opens",
            trigger: ".modal .o_form_view .o_field_widget[name=line_ids]",
        },
        {
            content: "Refresh it",
            trigger: ".modal button[name=action_refresh]",
            run: "click",
        },
        {
            content: "Open the unclassified contacts",
            trigger: ".modal button[name=action_view_unclassified]",
            run: "click",
        },
        {
            content: "The unclassified contacts are listed",
            trigger: "body:not(:has(.modal)) .o_list_view",
        },
        ...openMenu(
            "partner_data_hygiene.menu_hygiene_privacy",
            "partner_data_hygiene.menu_hygiene_retention_due"
        ),
        {
            content: "The due contacts screen opens",
            trigger: ".o_list_view, .o_view_nocontent",
        },
        ...openMenu(
            "partner_data_hygiene.menu_hygiene_privacy",
            "partner_data_hygiene.menu_hygiene_suppression_lookup"
        ),
        {
            content: "Type an email",
            trigger: ".modal .o_field_widget[name=email] input",
            run: "edit objected.person@example.fr",
        },
        {
            content: "Look it up",
            trigger: ".modal button[name=action_lookup]",
            run: "click",
        },
        {
            content: "The answer is shown",
            trigger: ".modal .o_field_widget[name=result]:not(:empty)",
        },
        {
            content: "Close",
            trigger: ".modal .modal-footer .btn-secondary",
            run: "click",
        },
        {
            content: "Closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

// ----------------------------------------------------------------------- sales user

tours.add("partner_data_hygiene_sales_user", {
    steps: () => [
        {
            content: "The contact's privacy tab",
            trigger: ".o_notebook .nav-link[name=hygiene_privacy]",
            run: "click",
        },
        {
            content: "Record a consent",
            trigger: ".o_form_view button[name=action_hygiene_record_consent]",
            run: "click",
        },
        {
            content: "Type the purpose (its name holds Newsletter in English and in French)",
            trigger: ".modal .o_field_widget[name=purpose_id] input",
            run: "edit Newsletter",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item a:contains(Newsletter)",
            run: "click",
        },
        {
            content: "The purpose is set",
            trigger: ".modal .o_field_widget[name=purpose_id] input:not(:value(''))",
        },
        {
            content: "Record",
            trigger: ".modal button[name=action_record]",
            run: "click",
        },
        {
            content: "The consent is on the contact",
            trigger: "body:not(:has(.modal)) .o_field_widget[name=hygiene_consent_state_ids] .o_data_row",
        },
        ...openMenu(
            "partner_data_hygiene.menu_hygiene_contacts",
            "partner_data_hygiene.menu_hygiene_duplicates"
        ),
        {
            content: "Duplicates to review, read only: no Scan Now for a user",
            trigger: ".o_control_panel:not(:has(button[name=action_scan]))",
        },
        ...openMenu(
            "partner_data_hygiene.menu_hygiene_privacy",
            "partner_data_hygiene.menu_hygiene_consent_state"
        ),
        {
            content: "Current consents, with the one just recorded",
            trigger: ".o_pivot_view .o_pivot_cell_value, .o_list_view .o_data_row",
        },
    ],
});
