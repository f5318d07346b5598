"""The Socket.IO Admin UI (https://admin.socket.io): python-socketio's ``instrument``.

Off unless ``CHINWAG_ADMIN_UI=true``, and then only with credentials (the settings refuse to
start without them). Read-only: the UI shows sockets, rooms and events but cannot disconnect
sockets or emit. Its browser page runs on another origin, which ``CHINWAG_CORS_ORIGINS`` must
allow (e.g. ``https://admin.socket.io``). Instrumenting wraps the manager's methods, so it
costs some CPU on every emit while on.
"""

from __future__ import annotations

import socketio

from chinwag.config import Settings

ADMIN_NAMESPACE = "/admin"


def instrument(sio: socketio.AsyncServer, settings: Settings) -> bool:
    """Turn the Admin UI namespace on when configured; returns whether it is on."""
    if not settings.admin_ui:
        return False
    assert settings.admin_ui_username and settings.admin_ui_password  # the settings check it
    sio.instrument(
        auth={
            "username": settings.admin_ui_username,
            "password": settings.admin_ui_password.get_secret_value(),
        },
        namespace=ADMIN_NAMESPACE,
        read_only=True,
        mode="production",
    )
    return True
