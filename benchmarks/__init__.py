"""chinwag benchmarks: chinwag vs a bare python-socketio server under the same load."""
