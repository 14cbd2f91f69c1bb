def _lt(message):
    """Mark an English message template for Odoo's translation export (keyword ``_lt``).

    tools/ is pure Python and translates nothing itself: its messages travel as templates with
    named parameters, and the Odoo caller translates them at run time with
    ``env._(template, **params)``, which finds them among the addon's translations.
    """
    return message
