"""Render ``handlers.py``: the abstract handler base the service implements."""

from __future__ import annotations

import textwrap

from codegen.contract import Contract, snake

__all__ = ["docstring", "render_handlers"]

_PREAMBLE = '''
"""Abstract, typed handlers: one async method per client→server operation.

A handler returns the success reply's payload; failures are raised as the service's exceptions
and the transport maps them to the operation's error reply (``chat:error`` or ``auth_error``).
"""

from __future__ import annotations

import abc
import inspect
from typing import Any, Generic, Self, TypeVar

from chinwag_contract import models

__all__ = ["HANDLER_METHODS", "ChinwagHandlers", "ensure_implemented"]

Ctx = TypeVar("Ctx")
"""The per-call context the transport passes (the socket's session, its sid, …)."""

'''

_NEW = '''
    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """Check the class against the contract before Python's own abstract-class error.

        ``object.__new__`` refuses a class with abstract methods with a bare ``TypeError``; this
        check runs first and names every handler the contract needs that the class lacks.
        """
        ensure_implemented(cls)
        return super().__new__(cls)
'''

_ENSURE = '''

def ensure_implemented(handlers: object) -> None:
    """Raise ``TypeError`` naming every handler method that is missing, abstract or not async.

    ``handlers`` is a handler object or class.
    """
    problems = []
    for event, name in HANDLER_METHODS.items():
        method = getattr(handlers, name, None)
        if method is None:
            problems.append(f"{name} ({event}) is missing")
        elif getattr(method, "__isabstractmethod__", False):
            problems.append(f"{name} ({event}) is abstract")
        elif not inspect.iscoroutinefunction(method):
            problems.append(f"{name} ({event}) is not an async method")
    if problems:
        name = handlers.__name__ if isinstance(handlers, type) else type(handlers).__name__
        raise TypeError(f"{name} does not implement the contract: " + "; ".join(problems))
'''


def docstring(text: str, indent: str) -> str:
    """A safely quoted, wrapped docstring at ``indent``."""
    cleaned = " ".join(text.split()).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = textwrap.wrap(cleaned, width=92) or [""]
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    body = "".join(f"{indent}{line}\n" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{body}{indent}"""\n'


def render_handlers(contract: Contract) -> str:
    """Python source of ``handlers.py``."""
    out = [_PREAMBLE, "\nclass ChinwagHandlers(abc.ABC, Generic[Ctx]):\n"]
    out.append(
        docstring(
            "The contract's client→server operations; subclass and implement them all.", "    "
        )
    )
    out.append(_NEW)
    methods: dict[str, str] = {}
    for op in contract.operations:
        if op.direction != "client_to_server":
            continue
        message = contract.messages[op.message_key]
        success = [k for k in op.reply_keys if not contract.messages[k].error_reply]
        errors = [m.event for k in op.reply_keys if (m := contract.messages[k]).error_reply]
        name = "on_" + snake(message.event)
        methods[message.event] = name
        returns = f"models.{contract.messages[success[0]].model}" if success else "None"
        doc = f"`{message.event}`: {op.summary} {op.description}"
        if errors:
            doc += f" Failures are raised; the transport answers with `{errors[0]}`."
        out.append("\n    @abc.abstractmethod\n")
        out.append(
            f"    async def {name}(self, ctx: Ctx, payload: models.{message.model}) -> {returns}:\n"
        )
        out.append(docstring(doc, "        "))
    out.append("\n\nHANDLER_METHODS: dict[str, str] = {\n")
    out.extend(f"    {event!r}: {name!r},\n" for event, name in methods.items())
    out.append("}\n")
    out.append('"""Client→server wire event → ``ChinwagHandlers`` method name."""\n')
    out.append(_ENSURE)
    return "".join(out)
