from odoo import models

NO_INDEX = "hygiene_import_no_index"


class IrAttachment(models.Model):
    """The uploaded file of an import is not indexed: ``ir.attachment`` copies every printable
    word of a text file into ``index_content``, which for a customer file is a second, searchable
    copy of its personal data, and for a million rows a list of ten million words in memory."""

    _inherit = "ir.attachment"

    def _index(self, bin_data, file_type, checksum=None):
        if self.env.context.get(NO_INDEX):
            return file_type and file_type.split("/")[0]
        return super()._index(bin_data, file_type, checksum=checksum)
