import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { KanbanHeader } from "@web/views/kanban/kanban_header";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";
import { ListRenderer } from "@web/views/list/list_renderer";

/**
 * Contacts grouped by their source ("Contacts by Source", and any contact list, board, chart or
 * pivot grouped by Source): the contacts without a known source are "No known source" (as on the
 * dashboard), not "None", and come after the real sources (the board puts the empty column
 * first). The chart and the table are in the lazy bundle: source_groups_lazy.js.
 */
const SOURCE_FIELD = "hygiene_source_id";
export const isSourceGroup = (resModel, fieldName) =>
    resModel === "res.partner" && fieldName === SOURCE_FIELD;
export const unknownSourceLabel = () => _t("No known source");

patch(ListRenderer.prototype, {
    getGroupDisplayName(group) {
        if (
            isSourceGroup(group.resModel, group.groupByField.name) &&
            (group.value === undefined || group.value === false)
        ) {
            return unknownSourceLabel();
        }
        return super.getGroupDisplayName(group);
    },
});

patch(KanbanHeader.prototype, {
    _getEmptyGroupLabel(fieldName) {
        if (isSourceGroup(this.group.resModel, fieldName)) {
            return unknownSourceLabel();
        }
        return super._getEmptyGroupLabel(fieldName);
    },
});

patch(KanbanRenderer.prototype, {
    getGroupsOrRecords() {
        const items = super.getGroupsOrRecords();
        const { list } = this.props;
        if (!list.isGrouped || !isSourceGroup(list.resModel, list.groupByField?.name)) {
            return items;
        }
        // the unknown source after the real ones
        return [
            ...items.filter((item) => item.group.value),
            ...items.filter((item) => !item.group.value),
        ];
    },
});
