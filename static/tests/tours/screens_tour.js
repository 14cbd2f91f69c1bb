/**
 * The addon's screens as each role lives them: a tour per role (data steward, privacy officer,
 * manager, sales user; the settings as the administrator) clicks every button of every screen of
 * the addon — list headers, form headers, wizards, smart buttons, menus — with real clicks.
 * Selectors use technical names only, so the same tours run in English and in French; any client
 * error or server traceback fails them. Started from tests/test_screens_tour.py, which prepares
 * the records and the users, and checks that every button of views/*.xml and wizards/*.xml has a
 * step here: each click on a button of the addon goes through `button("<view>:<name>", ...)` and
 * each menu through `openMenu(...)`, which that test reads.
 */
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/** A click on the button `name` of the view `view` (key "<view xml id>:<button name>[#n]"). */
const button = (key, trigger, content = "") => ({
    content: `${key}${content ? ": " + content : ""}`,
    trigger,
    run: "click",
});

/** A shared machine can take more than the default 10 s for a merge or a commit. */
const slow = (steps) => steps.map((step) => ({ timeout: 30000, ...step }));

const check = (content, trigger) => ({ content, trigger });

const notification = (content) => [
    check(content, ".o_notification:not(:has(.bg-danger)) .o_notification_content"),
    {
        content: "Close the notification",
        trigger: ".o_notification .o_notification_close",
        run: "click",
    },
];

const confirm = {
    content: "Confirm",
    trigger: ".modal-footer .btn-primary:not([name])",
    run: "click",
};

const noModal = check("The dialog is closed", "body:not(:has(.modal))");

const openMenu = (section, item) => [
    {
        content: `Open the menu ${section}`,
        trigger: `.o_menu_sections [data-menu-xmlid='partner_data_hygiene.${section}']`,
        run: "click",
    },
    {
        content: `Choose ${item}`,
        trigger: `.dropdown-menu [data-menu-xmlid='partner_data_hygiene.${item}']`,
        run: "click",
    },
];

const listOrEmpty = check(
    "The screen opens (a list, cards, a pivot, or its empty help)",
    ".o_action_manager .o_list_view, .o_action_manager .o_kanban_view, " +
        ".o_action_manager .o_pivot_view, .o_action_manager .o_view_nocontent"
);

const openRow = (text) => ({
    content: `Open the row ${text}`,
    trigger: `.o_list_view .o_data_row:contains(${text}) .o_data_cell:first`,
    run: "click",
});

const statusIs = (value) =>
    check(`The status is ${value}`, `.o_statusbar_status .o_arrow_button_current[data-value=${value}]`);

// ----------------------------------------------------------------------- data steward

tours.add("partner_data_hygiene_steward_duplicates", {
    steps: () =>
        slow([
            button(
                "hygiene_duplicate_group_view_list:action_scan",
                ".o_control_panel button[name=action_scan]",
                "Scan Now, from the list header, without a selection"
            ),
            ...notification("The scan says what it found"),
            {
                content: "Select the Zéphyrin pair",
                trigger: ".o_data_row:contains(Zéphyrin) .o_list_record_selector input",
                run: "click",
            },
            button(
                "hygiene_duplicate_group_view_list:action_not_duplicates",
                ".o_control_panel button[name=action_not_duplicates]",
                "Not Duplicates, from the list header, on the selection"
            ),
            check(
                "The pair leaves the groups to review",
                ".o_list_view:not(:has(.o_data_row:contains(Zéphyrin))) .o_data_row:contains(Quartzite)"
            ),
            // form header: merge into the contact to keep
            openRow("Quartzite"),
            button(
                "hygiene_duplicate_group_view_form:action_merge",
                ".o_form_view .o_form_statusbar button[name=action_merge]"
            ),
            confirm,
            statusIs("merged"),
            // form header: compare and merge (cancel once, then merge)
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_duplicates"),
            openRow("Obsidienne"),
            button(
                "hygiene_duplicate_group_view_form:action_compare_merge",
                ".o_form_view button[name=action_compare_merge]"
            ),
            button(
                "hygiene_duplicate_compare_view_form:cancel",
                ".modal .modal-footer button[special=cancel]",
                "Cancel the comparison"
            ),
            noModal,
            button(
                "hygiene_duplicate_group_view_form:action_compare_merge#again",
                ".o_form_view button[name=action_compare_merge]"
            ),
            button(
                "hygiene_duplicate_compare_view_form:action_merge",
                ".modal button[name=action_merge]"
            ),
            confirm,
            check(
                "The contact kept is shown",
                "body:not(:has(.modal)) .o_form_view .o_field_widget[name=name] input"
            ),
            // form header: not duplicates
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_duplicates"),
            openRow("Malachite"),
            button(
                "hygiene_duplicate_group_view_form:action_not_duplicates",
                ".o_form_view button[name=action_not_duplicates]"
            ),
            statusIs("ignored"),
            // list header: merge above a score (cancel once, then merge)
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_duplicates"),
            check("The Jaspe pair is to review", ".o_list_view .o_data_row:contains(Jaspe)"),
            button(
                "hygiene_duplicate_group_view_list:hygiene_duplicate_merge_wizard_action",
                ".o_control_panel button[type=action]",
                "Merge Above a Score…"
            ),
            button(
                "hygiene_duplicate_merge_wizard_view_form:cancel",
                ".modal .modal-footer button[special=cancel]"
            ),
            noModal,
            button(
                "hygiene_duplicate_group_view_list:hygiene_duplicate_merge_wizard_action#again",
                ".o_control_panel button[type=action]"
            ),
            check("Groups are counted", ".modal .o_field_widget[name=group_count]:not(:contains(/^0$/))"),
            button(
                "hygiene_duplicate_merge_wizard_view_form:action_merge",
                ".modal .modal-footer button[name=action_merge]"
            ),
            ...notification("The merge says how many groups it merged"),
            noModal,
            // small screens: the kanban view has Scan Now too
            {
                content: "Switch to the cards",
                trigger: ".o_control_panel .o_switch_view.o_kanban",
                run: "click",
            },
            button(
                "hygiene_duplicate_group_view_kanban:action_scan",
                ".o_kanban_view .o_control_panel button[name=action_scan]"
            ),
            ...notification("The scan from the cards says what it found"),
            // merge journal: undo
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_merge_journal"),
            {
                content: "Open a merge",
                trigger: ".o_list_view .o_data_row:first .o_data_cell:first",
                run: "click",
            },
            button("hygiene_merge_journal_view_form:action_undo", ".o_form_view button[name=action_undo]"),
            confirm,
            statusIs("undone"),
        ]),
});

tours.add("partner_data_hygiene_steward_import", {
    steps: () =>
        slow([
            button(
                "hygiene_import_batch_view_form:action_read_file",
                ".o_form_view button[name=action_read_file].btn-primary",
                "Read the uploaded file"
            ),
            check("Its columns are proposed", ".o_field_widget[name=mapping_ids] .o_data_row"),
            button(
                "hygiene_import_batch_view_form:action_read_file#2",
                ".o_form_view button[name=action_read_file]:not(.btn-primary)",
                "Read File Again"
            ),
            check("The columns are still there", ".o_field_widget[name=mapping_ids] .o_data_row"),
            button(
                "hygiene_import_batch_view_form:action_save_preset",
                ".o_form_view button[name=action_save_preset]"
            ),
            check(
                "The preset is set on the import",
                ".o_field_widget[name=preset_id] input:not(:value(''))"
            ),
            button("hygiene_import_batch_view_form:action_stage", ".o_form_view button[name=action_stage]"),
            ...notification("Staging says what it found"),
            check("The report is shown", ".o_notebook .nav-link.active[name=report]"),
            button(
                "hygiene_import_batch_view_form:action_dry_run",
                ".o_form_view button[name=action_dry_run]"
            ),
            ...notification("The dry run says what the commit would do"),
            button(
                "hygiene_import_batch_view_form:action_view_lines",
                ".o_form_view button[name=action_view_lines]",
                "The Lines smart button"
            ),
            {
                content: "Open a line's form from the editable list",
                trigger: ".o_list_view .o_data_row:first .o_list_record_open_form_view button",
                run: "click",
            },
            check("The line form shows the raw values", ".o_form_view .o_field_widget[name=raw_values]"),
            {
                content: "Back to the import by the breadcrumb",
                trigger: ".o_breadcrumb .breadcrumb-item:nth-child(2) a",
                run: "click",
            },
            button(
                "hygiene_import_batch_view_form:action_download_rejected",
                ".o_form_view button[name=action_download_rejected]"
            ),
            button(
                "hygiene_import_batch_view_form:action_commit_notify",
                ".o_form_view button[name=action_commit_notify]"
            ),
            confirm,
            ...notification("The commit says what it wrote"),
            statusIs("done"),
            check("The report tells what was written", ".o_field_widget[name=report]:contains(2)"),
            // the second import is cancelled
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_imports"),
            openRow("cancel"),
            button("hygiene_import_batch_view_form:action_cancel", ".o_form_view button[name=action_cancel]"),
            confirm,
            statusIs("cancelled"),
            check("A cancelled import shows no lines", ".o_form_view:not(:has(button[name=action_view_lines]))"),
        ]),
});

tours.add("partner_data_hygiene_steward_screens", {
    steps: () =>
        slow([
            {
                content: "Open a source",
                trigger: ".o_list_view .o_data_row:first .o_data_cell:first",
                run: "click",
            },
            button(
                "hygiene_source_view_form:action_view_partners",
                ".o_form_view .o-form-buttonbox button[name=action_view_partners]",
                "The source's contacts"
            ),
            listOrEmpty,
            ...openMenu("menu_hygiene_config", "menu_hygiene_import_presets"),
            listOrEmpty,
            ...openMenu("menu_hygiene_config", "menu_hygiene_purposes"),
            listOrEmpty,
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_partners"),
            check("Contacts by source", ".o_action_manager .o_kanban_view, .o_action_manager .o_list_view"),
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_origins"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_consent_state"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_consent"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_retention_policies"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_unclassified"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_retention_due"),
            listOrEmpty,
            ...openMenu("menu_hygiene_config", "menu_hygiene_sources"),
            listOrEmpty,
            check(
                "No officer's menu for a steward",
                ".o_main_navbar:not(:has([data-menu-xmlid='partner_data_hygiene.menu_hygiene_journal']))"
            ),
        ]),
});

// ----------------------------------------------------------------------- privacy officer

tours.add("partner_data_hygiene_officer", {
    steps: () =>
        slow([
            button(
                "hygiene_journal_view_list:action_export_csv",
                ".o_control_panel button[name=action_export_csv]",
                "Export the journal as CSV without selecting anything"
            ),
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_journal"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_retention_preview"),
            check("The preview opens", ".modal .modal-footer button[name=action_refresh]"),
            button("hygiene_retention_preview_view_form:action_refresh", ".modal button[name=action_refresh]"),
            check("Still the preview", ".modal .modal-footer button[name=action_refresh]"),
            button(
                "hygiene_retention_preview_view_form:action_view_unclassified",
                ".modal button[name=action_view_unclassified]"
            ),
            check("The unclassified contacts are listed", "body:not(:has(.modal)) .o_list_view"),
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_retention_preview"),
            button(
                "hygiene_retention_preview_view_form:cancel",
                ".modal .modal-footer button[special=cancel]",
                "Close the preview"
            ),
            noModal,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_suppression_lookup"),
            {
                content: "Type an email",
                trigger: ".modal .o_field_widget[name=email] input",
                run: "edit objected.person@example.fr",
            },
            button("hygiene_suppression_lookup_view_form:action_lookup", ".modal button[name=action_lookup]"),
            check("The answer is shown", ".modal .o_field_widget[name=result]:not(:empty)"),
            button(
                "hygiene_suppression_lookup_view_form:cancel",
                ".modal .modal-footer button[special=cancel]",
                "Close"
            ),
            noModal,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_repermission"),
            listOrEmpty,
            // a retention policy: preview and its smart buttons
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_retention_policies"),
            {
                content: "Activate the policy prepared for the tour (inactive)",
                trigger:
                    ".o_list_view .o_data_row:contains(Tour Prospects) .o_field_widget[name=active] input:not(:checked)",
                run: "click",
            },
            check(
                "It is active",
                ".o_list_view .o_data_row:contains(Tour Prospects) .o_field_widget[name=active] input:checked"
            ),
            {
                content: "Open it",
                trigger: ".o_list_view .o_data_row:contains(Tour Prospects) .o_data_cell[name=name]",
                run: "click",
            },
            button(
                "hygiene_retention_policy_view_form:action_preview",
                ".o_form_view .o_form_statusbar button[name=action_preview]"
            ),
            check("The policy's preview lists the contacts due", ".modal .o_field_widget[name=line_ids] .o_data_row"),
            button(
                "hygiene_retention_preview_view_form:action_run_now",
                ".modal .modal-footer button[name=action_run_now]",
                "Apply the policy now"
            ),
            confirm,
            ...notification("The run says what it did in numbers"),
            check("The operations journal opens on the run", "body:not(:has(.modal)) .o_list_view .o_data_row"),
            {
                content: "Back to the policy",
                trigger: ".o_breadcrumb .breadcrumb-item:nth-child(2) a",
                run: "click",
            },
            button(
                "hygiene_retention_policy_view_form:action_view_partners",
                ".o_form_view .o-form-buttonbox button[name=action_view_partners]",
                "The policy's contacts"
            ),
            listOrEmpty,
            {
                content: "Back to the policy",
                trigger: ".o_breadcrumb .breadcrumb-item:nth-child(2) a",
                run: "click",
            },
            button(
                "hygiene_retention_policy_view_form:action_view_due_partners",
                ".o_form_view .o-form-buttonbox button[name=action_view_due_partners]",
                "Its contacts due now"
            ),
            listOrEmpty,
        ]),
});

tours.add("partner_data_hygiene_officer_contact", {
    steps: () =>
        slow([
            {
                content: "The contact's privacy tab",
                trigger: ".o_notebook .nav-link[name=hygiene_privacy]",
                run: "click",
            },
            button(
                "view_partner_form_retention:action_hygiene_anonymize",
                ".o_form_view button[name=action_hygiene_anonymize]"
            ),
            confirm,
            ...notification("The anonymisation says what it did"),
            check(
                "The contact is anonymised",
                ".o_form_view [name=hygiene_retention_banner]:not(.o_invisible_modifier)"
            ),
        ]),
});

// ----------------------------------------------------------------------- manager

tours.add("partner_data_hygiene_manager", {
    steps: () =>
        slow([
            check("The retention policies", ".o_list_view .o_data_row"),
            {
                content: "Deactivate the policy the officer activated",
                trigger: ".o_list_view .o_data_row .o_field_widget[name=active] input:checked",
                run: "click",
            },
            check(
                "No active policy left",
                ".o_list_view:not(:has(.o_field_widget[name=active] input:checked))"
            ),
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_retention_preview"),
            check("The preview explains why nothing is classified", ".modal .alert-info"),
            button(
                "hygiene_retention_preview_view_form:action_view_policies",
                ".modal .alert-info button[name=action_view_policies]",
                "Go to the retention policies"
            ),
            check("The policies, archived ones included", "body:not(:has(.modal)) .o_list_view .o_data_row"),
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_journal"),
            listOrEmpty,
        ]),
});

tours.add("partner_data_hygiene_manager_contact", {
    steps: () =>
        slow([
            {
                content: "The contact's privacy tab",
                trigger: ".o_notebook .nav-link[name=hygiene_privacy]",
                run: "click",
            },
            button("view_partner_form_retention:action_hygiene_erase", ".o_form_view button[name=action_hygiene_erase]"),
            confirm,
            ...notification("The erasure says what it did"),
            check(
                "The contacts open (an erased contact has no form left), or its anonymised form",
                ".o_action_manager .o_kanban_view, .o_action_manager .o_list_view, " +
                    ".o_form_view [name=hygiene_retention_banner]"
            ),
        ]),
});

tours.add("partner_data_hygiene_admin_settings", {
    steps: () =>
        slow([
            ...openMenu("menu_hygiene_config", "menu_hygiene_settings"),
            check("The settings of the addon", ".o_setting_container, .o_form_view .settings"),
        ]),
});

// ----------------------------------------------------------------------- sales user

tours.add("partner_data_hygiene_sales_user", {
    steps: () =>
        slow([
            {
                content: "The contact's privacy tab",
                trigger: ".o_notebook .nav-link[name=hygiene_privacy]",
                run: "click",
            },
            check(
                "No anonymise or erase for a sales user",
                ".o_form_view:not(:has(button[name=action_hygiene_erase]))"
            ),
            button(
                "view_partner_form:action_hygiene_record_consent",
                ".o_form_view button[name=action_hygiene_record_consent]"
            ),
            button(
                "hygiene_consent_wizard_view_form:cancel",
                ".modal .modal-footer button[special=cancel]",
                "Cancel the consent"
            ),
            noModal,
            button(
                "view_partner_form:action_hygiene_record_consent#again",
                ".o_form_view button[name=action_hygiene_record_consent]"
            ),
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
            check("The purpose is set", ".modal .o_field_widget[name=purpose_id] input:not(:value(''))"),
            button("hygiene_consent_wizard_view_form:action_record", ".modal button[name=action_record]"),
            check(
                "The consent is on the contact",
                "body:not(:has(.modal)) .o_field_widget[name=hygiene_consent_state_ids] .o_data_row"
            ),
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_duplicates"),
            check(
                "Duplicates to review, read only: no Scan Now for a user",
                ".o_control_panel:not(:has(button[name=action_scan]))"
            ),
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_partners"),
            check("Contacts by source", ".o_action_manager .o_kanban_view, .o_action_manager .o_list_view"),
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_origins"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_consent"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_consent_state"),
            check(
                "Current consents, with the one just recorded",
                ".o_pivot_view .o_pivot_cell_value, .o_list_view .o_data_row"
            ),
            check(
                "No steward's menu for a sales user",
                ".o_main_navbar:not(:has([data-menu-xmlid='partner_data_hygiene.menu_hygiene_config']))"
            ),
        ]),
});
