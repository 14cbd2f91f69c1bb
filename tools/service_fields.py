"""Python state of a running service of the addon, that no client can set (a context can).

Protected fields that a service of the addon writes itself when it creates records:

``res.partner`` refuses hand-made values for the fields only a service may set (the last
activity, the first origin): there is no context key to get past that, as any RPC client can
send a context. A service that creates the contacts and already knows those values (the import:
a new contact's first origin and last activity are its own row's) may write them in the INSERT
instead of an UPDATE of every new row afterwards, by creating inside ``service_fields``. A
context variable is Python state of the running request: no client can set it.
"""

import contextlib
import contextvars

_ALLOWED = contextvars.ContextVar("hygiene_service_fields", default=frozenset())


@contextlib.contextmanager
def service_fields(names):
    """Within the block, ``create`` accepts values for the protected fields ``names``."""
    token = _ALLOWED.set(_ALLOWED.get() | frozenset(names))
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def allowed_service_fields():
    """The protected fields the running service may write at creation (none by default)."""
    return _ALLOWED.get()


_KEYS_DEFERRED = contextvars.ContextVar("hygiene_keys_deferred", default=None)


@contextlib.contextmanager
def deferred_keys():
    """Within the block, ``res.partner.write`` leaves the matching keys of the contacts whose
    key sources it writes to the caller: it adds their ids to the set yielded, which the caller
    refreshes at once afterwards (the import writing many contacts one by one; the children
    that core's sync writes are in the set too). Python state: no client can defer keys to
    leave them stale and hide a duplicate."""
    written = set()
    token = _KEYS_DEFERRED.set(written)
    try:
        yield written
    finally:
        _KEYS_DEFERRED.reset(token)


def defer_keys(ids):
    """Leave the keys of the contacts ``ids`` to the running service, if it refreshes them
    itself (within ``deferred_keys``): returns whether it does."""
    written = _KEYS_DEFERRED.get()
    if written is None:
        return False
    written.update(ids)
    return True
