"""`python -m dashboard.cli ARGS` in a process of its own, without paying for the interpreter
and the imports each time (about 3 s a run on a busy 2-core machine, nearly all of it imports).

A helper process (one per test process, started on first use) imports the command line and
what an import run loads, then forks a child for each run: the child takes the run's
environment and working directory, sets its memory limit, sends stdout and stderr to files
and calls `dashboard.cli.main(ARGS)` as `python -m dashboard.cli` does (an uncaught exception
is printed as a traceback, exit code 1). The helper waits for it, kills it past the timeout
(subprocess.TimeoutExpired, as subprocess.run raises) and answers with its exit code.

What a fresh process would do differently: nothing a test of a command's refusals looks at.
The modules are imported before the environment is set (none reads the environment at
import; the settings are read per call), and the child's address space starts with them
loaded, as a fresh process has them once it has imported the command line.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from conftest import ROOT, checkout_env

# The helper process: reads one JSON request per line, answers one JSON line per request.
HELPER = r'''
import json, os, resource, signal, sys, time, traceback
import dashboard.cli
# what `import --json --dry-run` loads (imported lazily by the command line)
import models.importing, models.reading, models.xlsx_stream, models.db, models.config  # noqa: E401
from dashboard.cli import main

answers = os.fdopen(os.dup(1), "w", buffering=1)
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()
            os.environ.clear()
            os.environ.update(req["env"])
            os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # as dashboard.cli's import set it
            os.chdir(req["cwd"])
            sys.argv = ["dashboard.cli", *req["args"]]
            out = os.open(req["stdout"], os.O_WRONLY | os.O_TRUNC)
            err = os.open(req["stderr"], os.O_WRONLY | os.O_TRUNC)
            os.dup2(out, 1)
            os.dup2(err, 2)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            sys.stdin = open(os.devnull)
            if req["memory"]:
                resource.setrlimit(resource.RLIMIT_AS, (req["memory"], req["memory"]))
            try:
                code = main(req["args"])
                code = 0 if code is None else code
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if not isinstance(exc.code, int) and exc.code is not None:
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
                code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) else 1)
    deadline = time.monotonic() + req["timeout"]
    status = None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = None
            break
        time.sleep(0.01)
    answers.write(json.dumps({"timeout": status is None,
                              "code": None if status is None else os.waitstatus_to_exitcode(status)}) + "\n")
'''


class PreloadedCli:
    """run(args, env=..., cwd=..., memory=..., timeout=...) -> subprocess.CompletedProcess (text)."""

    def __init__(self):
        self._proc = subprocess.Popen([sys.executable, "-c", HELPER], cwd=ROOT, env=checkout_env(),
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._lock = threading.Lock()

    def run(self, args: list[str], *, env: dict[str, str], cwd: Path, memory: int | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
        with tempfile.TemporaryDirectory() as folder, self._lock:
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            out.touch()
            err.touch()
            request = {"args": [str(a) for a in args], "env": dict(env), "cwd": str(cwd), "memory": memory,
                       "timeout": timeout, "stdout": str(out), "stderr": str(err)}
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the preloaded command line helper ended (exit {self._proc.poll()})")
            answer = json.loads(line)
            stdout, stderr = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
        command = [sys.executable, "-m", "dashboard.cli", *request["args"]]
        if answer["timeout"]:
            raise subprocess.TimeoutExpired(command, timeout, stdout, stderr)
        return subprocess.CompletedProcess(command, answer["code"], stdout, stderr)

    def close(self) -> None:
        self._proc.stdin.close()
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
