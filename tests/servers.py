"""`resultsboard serve` for the browser tests: one way to start it on a free port, wait until
it answers, and stop it with the Streamlit process it started (its own process group)."""
from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVE_TIMEOUT = 90  # seconds for a cold start on a busy 2-core machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(folder: Path, env: dict[str, str], *, port: int | None = None, args: tuple[str, ...] = (),
           log_name: str = "serve.log"):
    """`resultsboard serve --port PORT ARGS`, run from `folder` (outside the checkout) with
    `env`; yields the port once /_stcore/health answers, and stops the server afterwards."""
    port = port or free_port()
    log_path = folder / log_name
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port), *args],
                                env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + SERVE_TIMEOUT
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"serve exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"serve did not answer on port {port} in {SERVE_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.25)
            yield port
        finally:
            stop_group(proc)


def stop_group(proc) -> None:
    """Stop `serve` and the Streamlit process it started (its own process group): SIGTERM now
    (as a process manager would), then, on a thread, SIGKILL if the group is still there
    after 20 s. The test goes on meanwhile: Streamlit takes seconds to shut down, and the
    next server starts on a port of its own. Stops still running when the tests end are
    waited for at the end of the session (wait_for_stops), so no server outlives the tests."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    stopping = threading.Thread(target=_finish_stop, args=(proc,), name=f"stop-serve-{proc.pid}")
    _STOPPING.append(stopping)
    stopping.start()


_STOPPING: list[threading.Thread] = []


def _finish_stop(proc) -> None:
    for sig, wait in ((None, 20), (signal.SIGKILL, 10)):
        if sig is not None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            proc.poll()
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


@atexit.register
def wait_for_stops() -> None:
    """Wait until every stopped server has ended (conftest's pytest_sessionfinish; atexit too)."""
    while _STOPPING:
        _STOPPING.pop().join()
