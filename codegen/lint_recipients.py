"""Lint rules on recipients (CW060): placeholder until recipients are declared."""

from __future__ import annotations

__all__: list[str] = []
