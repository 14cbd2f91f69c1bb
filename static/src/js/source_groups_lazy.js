import { patch } from "@web/core/utils/patch";
import { GraphModel } from "@web/views/graph/graph_model";
import { PivotModel } from "@web/views/pivot/pivot_model";
import { isSourceGroup, unknownSourceLabel } from "@partner_data_hygiene/js/source_groups";

/** Contacts by Source as a chart and a table (web.assets_backend_lazy): see source_groups.js. */
patch(GraphModel.prototype, {
    _getDefaultFilterLabel(field) {
        if (isSourceGroup(this.metaData.resModel, field.fieldName)) {
            return unknownSourceLabel();
        }
        return super._getDefaultFilterLabel(field);
    },
});

patch(PivotModel.prototype, {
    _getEmptyGroupLabel(fieldName) {
        if (isSourceGroup(this.metaData.resModel, fieldName)) {
            return unknownSourceLabel();
        }
        return super._getEmptyGroupLabel(fieldName);
    },
});
