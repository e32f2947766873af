"""Running the real ``emotune`` command in a child process and reading its JSON lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    returncode: int
    lines: list[dict]
    stderr: str
    stdout: str = ""

    @property
    def summary(self) -> dict:
        return self.lines[-1]["summary"]

    def of_type(self, kind: str) -> list[dict]:
        return [line for line in self.lines if line.get("type") == kind]


def emotune(*args: str | Path, env: dict | None = None, timeout: float = 300) -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "emotune", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return Run(proc.returncode, lines, proc.stderr, proc.stdout)


def need_tool(tool: str, purpose: str) -> str:
    """The path of a system tool a test needs: a failure in CI (``.ci/run`` installs it),
    a skip on a developer's machine without it."""
    import shutil

    import pytest

    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is needed for {purpose} (apt-get install {tool}; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
