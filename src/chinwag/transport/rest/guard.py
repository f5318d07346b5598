"""The wrapper around every /api route: bearer authentication, and errors as ErrorBody."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from chinwag.domain.principal import Principal
from chinwag.errors import ChinwagError, Internal, Unauthenticated
from chinwag.services.auth import TokenService
from chinwag.transport.error_replies import from_validation_error
from chinwag.transport.rest.requests import BadJson
from chinwag.transport.rest.responses import error_response

Endpoint = Callable[[Request], Awaitable[Response]]
#: A route handler that runs only for an authenticated caller.
Handler = Callable[[Request, Principal], Awaitable[Response]]


async def bearer_principal(request: Request, tokens: TokenService) -> Principal:
    """Who the request's ``Authorization: Bearer`` token names, or ``Unauthenticated``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Missing bearer token")
    return (await tokens.verify_async(token.strip())).principal


def guard(handler: Handler, tokens: TokenService) -> Endpoint:
    """An endpoint that authenticates the caller for ``handler`` and answers every error."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, await bearer_principal(request, tokens))
        except BadJson as err:
            return error_response(err, 400)
        except ValidationError as exc:
            return error_response(from_validation_error(exc))
        except ChinwagError as err:
            return error_response(err)
        except Exception:  # a fault of ours, never of the client's input
            return error_response(Internal("Internal error"), 500)

    return endpoint
