"""The edges of chinwag: Socket.IO (``socketio/``), REST (``rest/``), limits (``limits/``), and the
fast path that relies on other libraries' internals (``fastpath/``). Only this package imports
socketio and engineio."""
