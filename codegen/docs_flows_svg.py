"""``docs/flows.svg``: the flow loop of :mod:`codegen.docs_flows` as a standalone SVG."""

from __future__ import annotations

from typing import Any

from codegen.docs_flows import flow_model
from codegen.docs_svg import sequence_svg

__all__ = ["render"]

_STYLE = (
    "<style>text{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#1d232b}"
    ".seq-name{font-weight:700}.seq-box{fill:#e6eefb;stroke:#2a4d7a}"
    ".seq-life{stroke:#9aa5b4;stroke-dasharray:4 4}.seq-call{stroke:#1d232b;stroke-width:1.4}"
    ".seq-reply{stroke:#2a6d3a;stroke-width:1.4;stroke-dasharray:6 3}"
    ".seq-head{fill:#1d232b}.seq-note{fill:#fff7d6;stroke:#c9a227}</style>"
)


def render(doc: dict[str, Any]) -> str:
    """The SVG file (with its own styles: it is viewed on its own)."""
    svg = sequence_svg(flow_model(doc), "Sequence diagram of the chinwag flow loop")
    svg = svg.replace('<svg class="seq"', '<svg xmlns="http://www.w3.org/2000/svg" class="seq"', 1)
    svg = svg.replace("</title>", "</title>\n" + _STYLE, 1)
    return svg + "\n"
