"""The Node load generator as a child process, pinned to its core, driven by JSON lines."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

BENCH_DIR = Path(__file__).resolve().parent
ENTRY = BENCH_DIR / "loadgen" / "main.mjs"


class LoadGenError(RuntimeError):
    """The load generator failed, died, or did not answer in time."""


def node_executable() -> str:
    """Path of ``node``; raise LoadGenError saying what is missing."""
    node = shutil.which("node")
    if node is None:
        raise LoadGenError("node is not on PATH (the load generator needs Node 20)")
    return node


def client_installed() -> bool:
    """True when socket.io-client resolves from ``benchmarks/`` (own node_modules or the root's)."""
    return any(
        (base / "node_modules" / "socket.io-client" / "package.json").is_file()
        for base in (BENCH_DIR, BENCH_DIR.parent)
    )


class LoadGen:
    """``taskset -c CORE node main.mjs CONFIG``; commands go to stdin, events come from stdout."""

    def __init__(self, config: dict[str, Any], workdir: Path, core: int | None, name: str) -> None:
        self.config_path = workdir / f"loadgen-{name}.json"
        self.config_path.write_text(json.dumps(config))
        self.stderr_path = workdir / f"loadgen-{name}.stderr"
        argv = [node_executable(), str(ENTRY), str(self.config_path)]
        if core is not None:
            argv = ["taskset", "-c", str(core), *argv]
        self._stderr: IO[bytes] = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=BENCH_DIR,
        )
        self._events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if line:
                try:
                    self._events.put(json.loads(line))
                except json.JSONDecodeError:
                    self._events.put({"event": "noise", "line": line})
        self._events.put(None)

    def send(self, cmd: str, **fields: Any) -> None:
        """Write one command line."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps({"cmd": cmd, **fields}) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise LoadGenError(f"load generator exited; stderr:\n{self._stderr_tail()}") from None

    def expect(self, event: str, timeout: float) -> dict[str, Any]:
        """Wait for ``event`` (skipping noise) and return its fields."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LoadGenError(f"no '{event}' from the load generator within {timeout:g} s")
            try:
                item = self._events.get(timeout=remaining)
            except queue.Empty:
                continue
            if item is None:
                raise LoadGenError(
                    f"load generator exited before '{event}'; stderr:\n{self._stderr_tail()}"
                )
            if item.get("event") == "fatal":
                raise LoadGenError(f"load generator failed: {item.get('message')}")
            if item.get("event") == event:
                return item

    def request(self, cmd: str, event: str, timeout: float, **fields: Any) -> dict[str, Any]:
        """Send ``cmd`` and wait for ``event``."""
        self.send(cmd, **fields)
        return self.expect(event, timeout)

    def cpu_pid(self) -> int:
        """Pid whose CPU is the load generator's (taskset execs node in place)."""
        return self.proc.pid

    def close(self) -> None:
        """Ask the process to exit; kill it if it does not within 5 s."""
        if self.proc.poll() is None:
            try:
                self.send("exit")
                self.proc.wait(5)
            except (LoadGenError, subprocess.TimeoutExpired, OSError):
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()

    def _stderr_tail(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def __enter__(self) -> LoadGen:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
