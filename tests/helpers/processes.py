"""Real processes for reliability tests: a zygote that forks writers and workstations.

``Zygote`` starts ``python -m tests.reliability.writer --zygote URL`` once; each
``spawn`` forks a fresh child process from it (a real process with its own database
connections), ``kill`` ends one with SIGKILL and waits until it is gone. Lines the
children print are collected per process id.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class Zygote:
    def __init__(self, url: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.writer", "--zygote", url],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self.lines: dict[int, list[str]] = defaultdict(list)
        self._seen: dict[int, int] = defaultdict(int)  # lines of each pid already expected
        self._changed = threading.Condition()
        self._children: set[int] = set()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            pid_text, _, message = line.rstrip("\n").partition(" ")
            with self._changed:
                self.lines[int(pid_text)].append(message)
                self._changed.notify_all()

    def _send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def expect(self, prefix: str, pid: int | None = None, timeout: float = 60) -> str:
        """The next line of ``pid`` (default: the zygote) starting with ``prefix``."""
        pid = self.proc.pid if pid is None else pid
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                lines = self.lines[pid]
                while self._seen[pid] < len(lines):
                    message = lines[self._seen[pid]]
                    self._seen[pid] += 1
                    if message.startswith("crash"):
                        raise AssertionError(f"process {pid} crashed: {message}")
                    if message.startswith(prefix):
                        return message
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"process {pid} printed no '{prefix}' within {timeout} s")
                self._changed.wait(min(left, 1.0))

    def spawn(self, *words: object) -> int:
        self._send(" ".join(str(w) for w in words))
        pid = int(self.expect("spawned").split()[1])
        self._children.add(pid)
        return pid

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        self.reap(pid)

    def reap(self, pid: int, timeout: float = 60) -> int:
        """Wait until ``pid`` has ended; its exit status as ``os.waitpid`` gives it."""
        self._send(f"reap {pid}")
        status = int(self.expect(f"reaped {pid}", timeout=timeout).split()[2])
        self._children.discard(pid)
        return status

    def close(self) -> None:
        """End the zygote, first killing any child this test did not see to the end."""
        for pid in list(self._children):
            with contextlib.suppress(ProcessLookupError):
                self.kill(pid)
        if self.proc.poll() is None:
            self._send("quit")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
