"""The REST side (openapi.yaml) on Starlette: routes that parse and present, the guard that
authenticates and maps errors, request reading and responses."""
