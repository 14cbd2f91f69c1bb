"""Pure-Python helpers of partner_data_hygiene: no Odoo import, unit-testable on their own."""
