"""Safe spreadsheet output: cells that a spreadsheet would run as a formula are neutralised."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Prefix a text cell with a quote when Excel or LibreOffice would read it as a formula
    (OWASP CSV injection), leave anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
