"""Draw the session flow of a :class:`~codegen.docs_model.DocModel` as an inline SVG diagram.

Drawn in Python so that the HTML page needs no diagram library and no network: lifelines, arrows
(client → server solid, server → client dashed) and notes, laid out on a fixed grid.
"""

from __future__ import annotations

from html import escape

from codegen.docs_model import DocModel, Step

__all__ = ["sequence_svg"]

_CHAR_W = 7.3  # average advance of the 12px monospace font the CSS gives .seq text
_MARGIN = 20
_BOX_W = 190
_BOX_H = 36
_ROW_H = 34
_MIN_GAP = 220


def _gap(model: DocModel, column: dict[str, int]) -> int:
    """Distance between lifelines so that every arrow label fits over its arrow."""
    gap = _MIN_GAP
    for step in model.session:
        span = abs(column[step.target] - column[step.source])
        if span:
            gap = max(gap, int((len(step.label) * _CHAR_W + 30) / span) + 1)
    return gap


def _arrow(step: Step, x1: int, x2: int, y: int, css: str) -> list[str]:
    head = -8 if x2 > x1 else 8
    mid = (x1 + x2) // 2
    return [
        f'<text class="seq-label" x="{mid}" y="{y - 7}" text-anchor="middle">'
        f"{escape(step.label)}</text>",
        f'<line class="{css}" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/>',
        f'<polygon class="seq-head" points="{x2},{y} {x2 + head},{y - 4} {x2 + head},{y + 4}"/>',
    ]


def _note(step: Step, x: int, y: int) -> list[str]:
    width = int(len(step.label) * _CHAR_W + 24)
    return [
        f'<rect class="seq-note" x="{x - width // 2}" y="{y - 16}" width="{width}" '
        'height="24" rx="3"/>',
        f'<text class="seq-label" x="{x}" y="{y}" text-anchor="middle">{escape(step.label)}</text>',
    ]


def _boxes(model: DocModel, xs: dict[str, int], y: int) -> list[str]:
    out = []
    for pid, label in model.participants:
        x = xs[pid]
        out.append(
            f'<rect class="seq-box" x="{x - _BOX_W // 2}" y="{y}" width="{_BOX_W}" '
            f'height="{_BOX_H}" rx="4"/>'
        )
        out.append(
            f'<text class="seq-name" x="{x}" y="{y + _BOX_H // 2 + 5}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    return out


def sequence_svg(
    model: DocModel, title: str = "Sequence diagram of a typical chinwag session"
) -> str:
    """The session flow as an ``<svg>`` element (no external references, deterministic)."""
    column = {pid: index for index, (pid, _) in enumerate(model.participants)}
    gap = _gap(model, column)
    xs = {pid: _MARGIN + _BOX_W // 2 + index * gap for pid, index in column.items()}
    width = 2 * _MARGIN + _BOX_W + gap * (len(column) - 1)
    top = _MARGIN + _BOX_H
    bottom = top + (len(model.session) + 1) * _ROW_H
    height = bottom + _BOX_H + _MARGIN
    body = [
        f'<line class="seq-life" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"/>' for x in xs.values()
    ]
    body += _boxes(model, xs, _MARGIN) + _boxes(model, xs, bottom)
    for index, step in enumerate(model.session, start=1):
        y = top + index * _ROW_H
        if step.source == step.target:
            body += _note(step, xs[step.source], y)
        else:
            css = "seq-call" if step.source != "server" else "seq-reply"
            body += _arrow(step, xs[step.source], xs[step.target], y, css)
    return (
        f'<svg class="seq" role="img" aria-label="{title}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">\n<title>{title}</title>\n'
        + "\n".join(body)
        + "\n</svg>"
    )
