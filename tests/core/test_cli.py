"""The ``qingdan`` console command: help texts in Chinese, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

QINGDAN = str(Path(sys.executable).with_name("qingdan"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("QINGDAN_")}
    base.update({"QINGDAN_DEBUG": "1", **(env or {})})
    return subprocess.run([QINGDAN, *args], capture_output=True, text=True, env=base, timeout=120)


def test_overview_lists_the_commands_in_chinese() -> None:
    out = run("--help").stdout
    for word in ("demo", "serve", "worker", "generate", "verify-log", "manage", "一键演示"):
        assert word in out


@pytest.mark.parametrize("command", ["demo", "serve", "worker", "generate", "verify-log"])
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stdout)


def test_generate_then_verify_log_and_detect_tampering(tmp_path: Path) -> None:
    env = {"QINGDAN_DATA_DIR": str(tmp_path)}
    assert run("manage", "migrate", "--verbosity", "0", env=env).returncode == 0
    result = run("generate", "--scale", "small", "--seed", "3", env=env)
    assert result.returncode == 0, result.stderr
    assert "部门" in result.stdout
    ok = run("verify-log", env=env)
    assert ok.returncode == 0 and "校验通过" in ok.stdout
    import sqlite3

    db = sqlite3.connect(tmp_path / "qingdan.sqlite3")
    db.execute("UPDATE core_changelogentry SET reason = 'x' WHERE seq = 10")
    db.commit()
    db.close()
    bad = run("verify-log", env=env)
    assert bad.returncode == 2
    assert "第10条" in bad.stderr
