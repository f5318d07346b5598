"""The Socket.IO side: the server, the gateway that dispatches events to the handlers, sessions,
rooms, authentication over a socket's life, graceful drain, and the cross-process control
channel."""
