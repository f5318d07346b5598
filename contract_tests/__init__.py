"""Contract tests for chinwag: drive a live server from asyncapi.yaml and openapi.yaml.

``python -m contract_tests`` starts a server (or targets ``--base-url``), replays every message
example, sends generated valid and invalid payloads, validates everything the server emits against
the contract's JSON Schemas, checks the authorization matrix, runs schemathesis on the REST API and
prints a coverage report. See ``contract_tests/README.md``.
"""

__all__: list[str] = []
