"""Summarise a py-spy collapsed-stack file: where the samples are, by frame and by library.

``python -m benchmarks.profile_summary FILE [--top N]``
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_PACKAGE = re.compile(r"\((?:.*/site-packages/|.*/src/|.*/lib/python3\.\d+/)?([^/:)]+)")


def _frames(stack: str) -> list[str]:
    return [f for f in stack.split(";") if f]


def _package(frame: str) -> str:
    match = _PACKAGE.search(frame)
    return match.group(1).removesuffix(".py") if match else "?"


def summarise(path: Path, top: int) -> str:
    """Self time per frame, inclusive time per frame, self time per top-level package."""
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    by_package: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = _frames(stack)
        total += count
        if frames:
            self_time[frames[-1]] += count
            by_package[_package(frames[-1])] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return f"{path}: no samples"

    def block(title: str, counter: Counter[str]) -> list[str]:
        lines = [title]
        for name, count in counter.most_common(top):
            lines.append(f"  {100 * count / total:5.1f}%  {name}")
        return lines

    out = [f"{path.name}: {total} samples"]
    out += block("self time by library:", by_package)
    out += block("self time by frame:", self_time)
    out += block("inclusive time by frame:", inclusive)
    return "\n".join(out)


def main() -> None:
    """CLI."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_summary")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    for path in args.files:
        print(summarise(path, args.top))
        print()


if __name__ == "__main__":
    main()
