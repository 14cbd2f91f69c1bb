/**
 * An anonymised contact in a list of contacts and on its card, named in the reader's language
 * (tests/test_screens_readable.py opens a list holding one, as a French reader of an English
 * company and as an English reader of a French company).
 */
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const NAMES = { en: "Anonymised contact", fr: "Contact anonymisé" };

const inTheList = (name, other) => [
    {
        content: `The list names the contact "${name}"`,
        trigger: `.o_list_view .o_data_row .o_data_cell[name=complete_name]:contains("${name}")`,
    },
    {
        content: `and not "${other}"`,
        trigger: `.o_list_view:not(:has(.o_data_row:contains("${other}")))`,
    },
];

for (const [lang, name] of Object.entries(NAMES)) {
    const other = lang === "en" ? NAMES.fr : NAMES.en;
    tours.add(`partner_data_hygiene_anonymised_list_${lang}`, { steps: () => inTheList(name, other) });
    tours.add(`partner_data_hygiene_anonymised_cards_${lang}`, {
        steps: () => [
            ...inTheList(name, other),
            { content: "The cards", trigger: ".o_switch_view.o_kanban", run: "click" },
            { content: `The card names "${name}"`, trigger: `.o_kanban_record:contains("${name}")` },
            {
                content: `and not "${other}"`,
                trigger: `.o_kanban_view:not(:has(.o_kanban_record:contains("${other}")))`,
            },
        ],
    });
}
