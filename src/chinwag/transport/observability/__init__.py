"""Operations at the transport edge: metrics sampling and the /metrics and /ready routes,
client garbage, library log records, and the Socket.IO Admin UI."""
