/**
 * /my/privacy as the customer lives it: change a consent, prepare and download the export, see
 * the erasure preview, confirm it with the password, then cancel it. Selectors use classes and
 * form values only, so the tour runs in English and in French. Started from
 * tests/test_privacy_portal_tour.py.
 */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("hygiene_privacy_portal_tour", {
    url: "/my/home",
    steps: () => [
        {
            content: "Open My Data & Privacy from the portal home",
            // /fr/my/privacy on a site that speaks French
            trigger: "a[href$='/my/privacy']",
            run: "click",
        },
        {
            content: "Grant the SMS offers in one click",
            trigger: ".o_hygiene_consent_form:has(input[name=purpose_id][data-code=sms_offers]) button[value=grant]",
            run: "click",
        },
        {
            content: "The choice is recorded; the SMS offers can now be withdrawn in one click",
            trigger: ".o_hygiene_consent_form:has(input[name=purpose_id][data-code=sms_offers]) button[value=withdraw]",
            run: "click",
        },
        {
            content: "Withdrawn: the grant button is back",
            trigger: ".o_hygiene_consent_form:has(input[name=purpose_id][data-code=sms_offers]) button[value=grant]",
        },
        {
            content: "Prepare my export",
            trigger: "button.o_hygiene_export",
            run: "click",
        },
        {
            content: "The export is ready to download",
            trigger: "a.o_hygiene_download",
        },
        {
            content: "See what an erasure would do",
            trigger: "a.o_hygiene_erase",
            run: "click",
        },
        {
            content: "Type the password",
            trigger: "input[name=password]",
            run: "edit hyg_tour",
        },
        {
            content: "Confirm the erasure",
            trigger: "button.o_hygiene_erase_confirm",
            run: "click",
        },
        {
            content: "The erasure is planned: cancel it",
            trigger: "button.o_hygiene_erase_cancel",
            run: "click",
        },
        {
            content: "Cancelled: the preview link is back",
            trigger: "a.o_hygiene_erase",
        },
    ],
});
