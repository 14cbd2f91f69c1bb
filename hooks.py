def post_init_hook(env):
    """Compute the matching keys of the partners that exist before the addon is installed."""
    env["res.partner"]._hygiene_backfill_keys()
