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
import { _t } from "@web/core/l10n/translation";
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

/** The cards of a list's action: what a phone opens. */
const toCards = { content: "Switch to the cards", trigger: ".o_switch_view.o_kanban", run: "click" };

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
            ...notification("The merge says what it did, in numbers"),
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
            ...notification("Saving the preset says what it kept"),
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

/** "Contacts by Source" as a list, cards, a chart and a table: the contacts without a source
 * are named as on the dashboard ("No known source"), never "None"/"Aucun", and come last. */
const contactsBySource = () => {
    const unknown = _t("No known source");
    const noNone = (selector) => `${selector}:not(:contains(None)):not(:contains(Aucun))`;
    const switchTo = (view) => ({
        content: `Contacts by source: the ${view} view`,
        trigger: `.o_control_panel .o_switch_view.o_${view}`,
        run: "click",
    });
    return [
        check(
            "Contacts by source: a list of the sources, the unknown one last",
            `.o_list_view .o_group_header:last-child .o_group_name:contains(${unknown})`
        ),
        check("Contacts by source: no group called None", noNone(".o_list_view thead + tbody")),
        switchTo("kanban"),
        check(
            "Contacts by source: the cards, the unknown source's column last",
            `.o_kanban_view .o_kanban_group:last .o_column_title:contains(${unknown})`
        ),
        check("Contacts by source: no column called None", noNone(".o_kanban_renderer")),
        switchTo("graph"),
        check("Contacts by source: a bar per source", ".o_graph_view .o_graph_canvas_container canvas"),
        switchTo("pivot"),
        check(
            "Contacts by source: the table, the unknown source's row last",
            `.o_pivot table tbody tr:last th:contains(${unknown})`
        ),
        check("Contacts by source: no row called None", noNone(".o_pivot table tbody")),
        switchTo("list"),
        check("Contacts by source: back to the list", ".o_list_view .o_group_header"),
    ];
};

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
            ...contactsBySource(),
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
            ...contactsBySource(),
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

// ----------------------------------------------------------------------- control screens

/** Back to the previous screen by the breadcrumb. */
const back = {
    content: "Back by the breadcrumb",
    trigger: ".o_breadcrumb .o_back_button a",
    run: "click",
};

const anyView = check(
    "The screen opens (a list, cards, a pivot, a graph, a form, or its empty help)",
    ".o_action_manager .o_list_view, .o_action_manager .o_kanban_view, " +
        ".o_action_manager .o_pivot_view, .o_action_manager .o_graph_view, " +
        ".o_action_manager .o_form_view, .o_action_manager .o_view_nocontent"
);

const dashboard = check("The dashboard", ".o_form_view.o_hygiene_dashboard");

/** After a smart button of a form: its list (or cards, graph, empty help), the form gone. */
const listOpens = check(
    "The list opens in place of the form",
    ".o_action_manager:not(:has(.o_form_view)) .o_list_view, " +
        ".o_action_manager:not(:has(.o_form_view)) .o_kanban_view, " +
        ".o_action_manager:not(:has(.o_form_view)) .o_graph_view, " +
        ".o_action_manager:not(:has(.o_form_view)) .o_view_nocontent"
);

/** A smart button of the dashboard (`name`, and its `button(...)` step, which the inventory
 * reads): its list opens, then back to the dashboard. */
const smart = (name) =>
    `.o_hygiene_dashboard .o-form-buttonbox button[name=${name}], .o_dropdown_more button[name=${name}]`;
const thenBack = (step) => [step, listOpens, back, dashboard];
/** The buttons past the fourth are under "More" at the tours' window size (1366 px). */
const more = {
    content: "Open More",
    trigger: ".o_hygiene_dashboard .o-form-buttonbox .o_button_more",
    run: "click",
};

tours.add("partner_data_hygiene_steward_control", {
    steps: () =>
        slow([
            // quality scores: recompute them all
            button(
                "hygiene_partner_score_view_list:action_refresh_all",
                ".o_control_panel button[name=action_refresh_all]",
                "Recompute All"
            ),
            ...notification("The scores say how many contacts were scored"),
            // the cards (a phone's view of the scores): Recompute All is there too
            toCards,
            check("A card per contact", ".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)"),
            button(
                "hygiene_partner_score_view_kanban:action_refresh_all",
                ".o_control_panel button[name=action_refresh_all]",
                "Recompute All from the cards"
            ),
            ...notification("The scores say again how many contacts were scored"),
            // the dashboard: a snapshot now, what changed since the previous one
            ...openMenu("menu_hygiene_control", "menu_hygiene_dashboard"),
            dashboard,
            // what changed since the previous snapshot: the merge the test made in between
            button(
                "hygiene_kpi_dashboard_form:action_open_operation",
                ".o_hygiene_dashboard .o_field_widget[name=cause_ids] .o_data_row button[name=action_open_operation]",
                "Open the merge that changed the figures"
            ),
            check(
                "The merge journal entry opens, the contact kept in it",
                ".o_action_manager:not(:has(.o_hygiene_dashboard)) .o_form_view " +
                    ".o_field_widget[name=survivor_id]:contains(Tour Cause Kept)"
            ),
            back,
            dashboard,
            button(
                "hygiene_kpi_dashboard_form:action_take_snapshot",
                ".o_hygiene_dashboard .o_form_statusbar button[name=action_take_snapshot]"
            ),
            ...thenBack(button("hygiene_kpi_dashboard_form:action_open_invalid_email", smart("action_open_invalid_email"))),
            ...thenBack(button("hygiene_kpi_dashboard_form:action_open_no_contact", smart("action_open_no_contact"))),
            ...thenBack(button("hygiene_kpi_dashboard_form:action_open_duplicates", smart("action_open_duplicates"))),
            ...thenBack(button("hygiene_kpi_dashboard_form:action_open_no_consent", smart("action_open_no_consent"))),
            more,
            ...thenBack(button("hygiene_kpi_dashboard_form:action_open_retention", smart("action_open_retention"))),
            more,
            ...thenBack(button("hygiene_kpi_dashboard_form:action_open_do_not_solicit", smart("action_open_do_not_solicit"))),
            button(
                "hygiene_kpi_dashboard_form:action_open_history",
                ".o_hygiene_dashboard .o_form_statusbar button[name=action_open_history]"
            ),
            check("The figures over time", ".o_action_manager .o_graph_view"),
            ...openMenu("menu_hygiene_control", "menu_hygiene_kpi_history"),
            anyView,
            ...openMenu("menu_hygiene_control", "menu_hygiene_snapshots"),
            check("Two snapshots", ".o_list_view .o_data_row:nth-child(2)"),
            ...openMenu("menu_hygiene_control", "menu_hygiene_optouts"),
            anyView,
            ...openMenu("menu_hygiene_control", "menu_hygiene_rfm"),
            anyView,
            ...openMenu("menu_hygiene_control", "menu_hygiene_rfm_history"),
            anyView,
            ...openMenu("menu_hygiene_control", "menu_hygiene_quality_scores"),
            check("The scores", ".o_list_view .o_data_row"),
            // segments
            ...openMenu("menu_hygiene_control", "menu_hygiene_segment_log"),
            anyView,
            ...openMenu("menu_hygiene_control", "menu_hygiene_segments"),
            {
                content: "Open the first segment",
                trigger: ".o_list_view .o_data_row:first .o_data_cell[name=name]",
                run: "click",
            },
            button("hygiene_segment_view_form:action_refresh", ".o_form_view button[name=action_refresh]"),
            ...notification("The refresh says how many contacts entered and left"),
            button(
                "hygiene_segment_view_form:action_view_members",
                ".o_form_view .o-form-buttonbox button[name=action_view_members]"
            ),
            listOpens,
            back,
            button(
                "hygiene_segment_view_form:action_view_log",
                ".o_form_view .o-form-buttonbox button[name=action_view_log]"
            ),
            listOpens,
            back,
            button(
                "hygiene_segment_view_form:action_view_mailing_list",
                ".o_form_view .o-form-buttonbox button[name=action_view_mailing_list], " +
                    ".o_form_view .o-form-buttonbox:not(:has(button[name=action_view_mailing_list]))",
                "Its mailing list (with Email Marketing only: else nothing to click)"
            ),
            anyView,
            // "check your details": the corrections to review, from the list and from the request
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_details_proposals"),
            button(
                "hygiene_details_proposal_view_list:action_accept",
                ".o_list_view .o_data_row:contains(Aubepine):first button[name=action_accept]"
            ),
            ...notification("The review says what it did and how many are left"),
            check(
                "One correction of Aubepine left",
                ".o_list_view:not(:has(.o_data_row:contains(Aubepine) ~ .o_data_row:contains(Aubepine)))"
            ),
            button(
                "hygiene_details_proposal_view_list:action_reject",
                ".o_list_view .o_data_row:contains(Aubepine) button[name=action_reject]"
            ),
            ...notification("The rejection says the contact is unchanged"),
            check("None left", ".o_list_view:not(:has(.o_data_row:contains(Aubepine)))"),
            // the cards a phone shows
            {
                content: "Switch to the cards",
                trigger: ".o_control_panel .o_switch_view.o_kanban",
                run: "click",
            },
            button(
                "hygiene_details_proposal_view_kanban:action_accept",
                ".o_kanban_record:contains(Cassis):first button[name=action_accept]"
            ),
            ...notification("The review from a card says what it did"),
            check(
                "One card of Cassis left",
                ".o_kanban_view:not(:has(.o_kanban_record:contains(Cassis) ~ .o_kanban_record:contains(Cassis)))"
            ),
            button(
                "hygiene_details_proposal_view_kanban:action_reject",
                ".o_kanban_record:contains(Cassis) button[name=action_reject]"
            ),
            ...notification("The rejection from a card says the contact is unchanged"),
            check("No card of Cassis left", ".o_kanban_view:not(:has(.o_kanban_record:contains(Cassis)))"),
            ...openMenu("menu_hygiene_contacts", "menu_hygiene_details_requests"),
            check("The details checks (not the corrections)", ".o_list_view th[data-name=sent_date]"),
            openRow("Bergamote"),
            button(
                "hygiene_details_request_view_form:action_accept",
                ".o_form_view .o_field_widget[name=proposal_ids] .o_data_row:first button[name=action_accept]"
            ),
            ...notification("The review says what it did and how many are left"),
            check(
                "The first line is reviewed: its buttons are gone, the second keeps them",
                ".o_field_widget[name=proposal_ids] .o_data_row:first:not(:has(button[name=action_accept])) " +
                    "+ .o_data_row button[name=action_reject]"
            ),
            button(
                "hygiene_details_request_view_form:action_reject",
                ".o_form_view .o_field_widget[name=proposal_ids] .o_data_row button[name=action_reject]"
            ),
            ...notification("The rejection says the contact is unchanged"),
            statusIs("reviewed"),
        ]),
});

// ----------------------------------------------------------------------- privacy officer's registers

tours.add("partner_data_hygiene_officer_privacy", {
    steps: () =>
        slow([
            // a request to answer
            openRow("Tour Access Person"),
            button("hygiene_privacy_request_view_form:action_start", ".o_form_view button[name=action_start]"),
            statusIs("in_progress"),
            button("hygiene_privacy_request_view_form:action_done", ".o_form_view button[name=action_done]"),
            statusIs("done"),
            // a request whose identity is to check, then refused
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_privacy_request"),
            openRow("Tour Identity Person"),
            button(
                "hygiene_privacy_request_view_form:action_verify_identity",
                ".o_form_view button[name=action_verify_identity]"
            ),
            statusIs("new"),
            {
                content: "The refusal's tab",
                trigger: ".o_form_view .o_notebook .nav-link[name=refusal]",
                run: "click",
            },
            {
                content: "Why it is refused",
                trigger: ".o_form_view .o_field_widget[name=refusal_reason] textarea",
                run: "edit The identity could not be confirmed.",
            },
            {
                content: "The complaint rights",
                trigger: ".o_form_view .o_field_widget[name=complaint_text] textarea",
                run: "edit You may lodge a complaint with the CNIL.",
            },
            button("hygiene_privacy_request_view_form:action_refuse", ".o_form_view button[name=action_refuse]"),
            confirm,
            statusIs("refused"),
            // an overdue request, cancelled
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_privacy_request_overdue"),
            openRow("Tour Late Person"),
            check("The deadline has passed", ".o_form_view .alert-danger"),
            button("hygiene_privacy_request_view_form:action_cancel", ".o_form_view button[name=action_cancel]"),
            check("Cancelled: no more buttons", ".o_form_view .o_form_statusbar:not(:has(button[name=action_cancel]))"),
            // the record of processing
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_processing_activity"),
            check("The record lists its activities", ".o_list_view .o_data_row"),
            button(
                "hygiene_processing_activity_view_list:action_export_csv",
                ".o_control_panel button[name=action_export_csv]",
                "Export the record as CSV"
            ),
            toCards,
            check("A card per activity", ".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)"),
            button(
                "hygiene_processing_activity_view_kanban:action_export_csv",
                ".o_control_panel button[name=action_export_csv]",
                "Export the record as CSV from the cards"
            ),
            // the breach register
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_breach"),
            openRow("Tour Lost Laptop"),
            button(
                "hygiene_breach_view_form:action_find_contacts",
                ".o_form_view .o_form_statusbar button[name=action_find_contacts]"
            ),
            check("The contact of the leaked file", ".o_list_view .o_data_row:contains(Tourmaline)"),
            back,
            button(
                "hygiene_breach_view_form:action_view_contacts",
                ".o_form_view .o-form-buttonbox button[name=action_view_contacts]"
            ),
            check("The contacts concerned", ".o_list_view .o_data_row:contains(Tourmaline)"),
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_export_log"),
            listOrEmpty,
            ...openMenu("menu_hygiene_privacy", "menu_hygiene_mailing_consent"),
            listOrEmpty,
        ]),
});

// ----------------------------------------------------------------------- portal customer

tours.add("partner_data_hygiene_portal", {
    steps: () => [
        // "check your details", from the mailed link: a wrong email is refused, then corrected
        {
            content: "Type a wrong email",
            trigger: ".o_hygiene_details_check input[name=email]",
            run: "edit tour.portal@@example",
        },
        button("details_check_page:answer#2", ".o_hygiene_details_check button[value=correct]", "Send"),
        check("The email is refused, with the reason", ".o_hygiene_details_check .is-invalid + .invalid-feedback"),
        {
            content: "Correct the email and the street",
            trigger: ".o_hygiene_details_check input[name=email]",
            run: "edit checked.new@example.fr",
        },
        {
            content: "The street",
            trigger: ".o_hygiene_details_check input[name=street]",
            run: "edit 12 rue des Tilleuls",
        },
        button("details_check_page:answer#2#again", ".o_hygiene_details_check button[value=correct]", "Send"),
        // the thank-you page (no form): checked before leaving, else the next link opens while
        // this answer is still on its way
        check("Thanked: the corrections are recorded", ".o_hygiene_details_check:not(:has(form))"),
        // another link: the details are confirmed as they are
        { content: "Open the second link", trigger: "body", run: "goToUrl /hygiene/details/tourConfirmyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy" },
        check(
            "The second link's page (another contact's details)",
            ".o_hygiene_details_check input[name=email][value='confirmed@example.fr']"
        ),
        button("details_check_page:answer", ".o_hygiene_details_check button[value=confirm]", "My details are correct"),
        check("Thanked", ".o_hygiene_details_check:not(:has(form))"),
        // /my/privacy from the portal home
        { content: "The portal home", trigger: "body", run: "goToUrl /my/home" },
        {
            content: "Open My Data & Privacy",
            // /fr/my/privacy on a site that speaks French
            trigger: "a[href$='/my/privacy']",
            run: "click",
        },
        check("What is held is shown", ".o_hygiene_privacy #held li"),
        button(
            "portal_my_privacy:consent_action#2",
            ".o_hygiene_consent_form:has(input[name=purpose_id][data-code=sms_offers]) button[value=grant]",
            "Grant the SMS offers"
        ),
        check("Recorded", ".o_hygiene_privacy .alert-success"),
        button(
            "portal_my_privacy:consent_action",
            ".o_hygiene_consent_form:has(input[name=purpose_id][data-code=sms_offers]) button[value=withdraw]",
            "Withdraw them"
        ),
        check(
            "Withdrawn: the grant button is back",
            ".o_hygiene_consent_form:has(input[name=purpose_id][data-code=sms_offers]) button[value=grant]"
        ),
        button("portal_my_privacy:button", "button.o_hygiene_export", "Prepare my export"),
        check("The export is ready to download", "a.o_hygiene_download"),
        {
            content: "See what an erasure would do",
            trigger: "a.o_hygiene_erase",
            run: "click",
        },
        check("What is kept and why", ".o_hygiene_privacy_erase"),
        {
            content: "Type the password",
            trigger: ".o_hygiene_privacy_erase input[name=password]",
            run: "edit tour_portal",
        },
        button("portal_my_privacy_erase:button", "button.o_hygiene_erase_confirm", "Erase my data"),
        check("The erasure is planned", "button.o_hygiene_erase_cancel"),
        button("portal_my_privacy:button#2", "button.o_hygiene_erase_cancel", "Cancel my erasure request"),
        check("Cancelled: the preview link is back", "a.o_hygiene_erase"),
    ],
});

// ----------------------------------------------------------------------- visitor without an account

tours.add("partner_data_hygiene_public", {
    steps: () => [
        button("privacy_public_confirm:button", "form[action^='/privacy/request/'] button[type=submit]", "Confirm my request (the mailed link)"),
        check("Confirmed", ".container h1 + p strong"),
        { content: "The public request form", trigger: "body", run: "goToUrl /privacy/request" },
        {
            content: "Type an email",
            trigger: "form[action='/privacy/request'] input[name=email]",
            run: "edit tour.visitor@example.fr",
        },
        {
            content: "Ask for the erasure",
            trigger: "form[action='/privacy/request'] select[name=request_type]",
            run: "select erasure",
        },
        button("privacy_public_request:button", "form[action='/privacy/request'] button[type=submit]", "Send"),
        check("Sent: the link to confirm is on its way", ".container .alert-success"),
    ],
});

// What only a phone shows (tests/test_screens_tour.py runs it 390 px wide): a details check's
// proposals as cards in its form, each value on its own line, Accept and Reject on the card.
tours.add("partner_data_hygiene_steward_phone", {
    steps: () =>
        slow([
            check(
                "The proposals are cards, with their values",
                ".o_field_widget[name=proposal_ids] .o_kanban_record:contains(2 rue Neuve)"
            ),
            button(
                "hygiene_details_request_view_form:action_accept#2",
                ".o_field_widget[name=proposal_ids] .o_kanban_record:first button[name=action_accept]"
            ),
            ...notification("The review from a card says what it did"),
            check(
                "The first card is reviewed: its buttons are gone",
                ".o_field_widget[name=proposal_ids] .o_kanban_record:first:not(:has(button[name=action_accept]))"
            ),
            button(
                "hygiene_details_request_view_form:action_reject#2",
                ".o_field_widget[name=proposal_ids] .o_kanban_record button[name=action_reject]"
            ),
            ...notification("The rejection from a card says the contact is unchanged"),
            check(
                "No card left to review",
                ".o_field_widget[name=proposal_ids]:not(:has(button[name=action_accept]))"
            ),
        ]),
});
