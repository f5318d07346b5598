"""Real services for the test suite: throwaway PostgreSQL and Redis, and the chinwag server process.

Everything here starts genuine processes on 127.0.0.1 and random free ports, so tests exercise the
same
code paths production does. Nothing here skips: a missing binary is an error with a message that
says
what to install.
"""
