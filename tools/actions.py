"""Client actions the buttons return."""

SOFT_RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}


def notification(message, title=None, kind="success", next_action=None, sticky=False):
    """A notification saying what a step did, then ``next_action`` (the screen where its
    result is; by default the current screen, reloaded)."""
    params = {"type": kind, "message": message, "next": next_action or dict(SOFT_RELOAD)}
    if title:
        params["title"] = title
    if sticky:
        params["sticky"] = True
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
