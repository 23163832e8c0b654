"""`resultsboard serve`: start Streamlit with its essential settings passed as flags, so it
behaves the same from any working directory (no request leaves the machine).

Streamlit is started through this module (`python -m dashboard.serve run APP FLAGS`, the
same command line as `streamlit run`), which reads and scores the programme in the
background as the server starts: the first visitor finds it ready instead of waiting for it."""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
# Where sign-in settings are read unless --secrets names a file: the user's and the checkout's
# .streamlit/secrets.toml (git-ignored), whatever the working directory.
DEFAULT_SECRETS = [Path("~/.streamlit/secrets.toml").expanduser(), APP.parents[1] / ".streamlit" / "secrets.toml"]


def streamlit_command(port: int, address: str = "127.0.0.1", secrets: list[Path] | None = None,
                      max_upload_mb: int = 100) -> list[str]:
    """`max_upload_mb`: Streamlit's per-file upload limit, the config's [import] max_upload_mb."""
    files = [str(p) for p in (secrets if secrets is not None else DEFAULT_SECRETS)]
    return [
        sys.executable, "-m", "dashboard.serve", "run", str(APP),
        "--server.headless", "true",
        "--server.address", address,
        "--server.port", str(port),
        *[arg for f in files for arg in ("--secrets.files", f)],
        # error details stay in the server log: the browser gets the message, never a traceback
        "--client.showErrorDetails", "none",
        "--browser.gatherUsageStats", "false",
        "--server.enableStaticServing", "true",
        "--client.toolbarMode", "minimal",
        "--client.disableDataExport", "true",  # no table CSV download: its cells are not defused like our exports
        "--server.fileWatcherType", "none",
        "--theme.base", "light",
        "--server.maxUploadSize", str(max_upload_mb),
    ]


def serve(port: int = 8501, address: str = "127.0.0.1", secrets: list[Path] | None = None, max_upload_mb: int = 100) -> int:
    """Replace this process with Streamlit, so signals (Ctrl+C, SIGTERM from a process
    manager) reach the server itself and no orphan keeps the port."""
    shown = "127.0.0.1" if address in ("127.0.0.1", "0.0.0.0", "::") else address
    print(f"Resultsboard on http://{shown}:{port}  (Ctrl+C to stop)", flush=True)
    os.chdir(APP.parent)
    root = str(APP.parents[1])  # `-m dashboard.serve` from the dashboard folder: this checkout's package
    os.environ["PYTHONPATH"] = os.pathsep.join([root, *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]])
    command = streamlit_command(port, address, secrets, max_upload_mb)
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


WARM_THREAD = "resultsboard-warm-up"
WARM_WAIT_S = 120  # how long the warm-up waits for Streamlit's runtime to exist


def warm_up() -> None:
    """Read the programme and score it (progress, reports due) into the server's shared caches
    (dashboard.state), as the first page would: every view of the programme over its whole
    period, whatever its other filters and the visitor's scope, then finds them ready. Runs
    once Streamlit's runtime exists, so its caches are the ones the pages use. Progress comes
    first (every programme page needs it); reports due, which only the reporting page needs,
    wait until no page is being built, so they never slow a first visitor's page. Says in the
    log when it is done; if it fails, the first page reads the programme (and shows the error)."""
    from streamlit import runtime

    # the shared caches warn once per call made outside a page's run ("missing ScriptRunContext"):
    # expected here, so this thread's warnings of that kind stay out of the server log
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: record.threadName != WARM_THREAD)
    deadline = time.monotonic() + WARM_WAIT_S
    while not runtime.exists():
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)
    started = time.perf_counter()
    try:
        from dataclasses import astuple

        from dashboard import state
        from models.access import LOCAL_ADMIN
        from models.config import database_url
        from models.db import data_version
        from models.queries.filters import Filters
        from models.queries.reporting import due_reports
        from models.queries.rollups import progress_table
        from models.scoring import periods

        url = database_url()
        version = data_version(state.get_engine(url))
        v = state._view(url, version, periods.as_of(), astuple(Filters()), astuple(LOCAL_ADMIN))
        progress_table(v)  # what every programme page needs first
        state.wait_for_quiet()  # reports due (the reporting page's) never slow a page being built
        due_reports(v)
        if os.environ.get("RESULTSBOARD_WARM_TRIM", "1") == "1":
            _give_back_freed_memory()
    except Exception as e:  # noqa: BLE001 - the pages read it again and say what is wrong
        print(f"Resultsboard: the programme was not read at start ({type(e).__name__}); the first page reads it",
              flush=True)
        return
    print(f"Resultsboard ready: the programme read and scored in {time.perf_counter() - started:.1f} s", flush=True)


def _give_back_freed_memory() -> None:
    """Return to the system what reading and scoring freed (glibc keeps a thread's freed heap
    otherwise: the server would stay at its peak, about twice what it keeps, at 1M values)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def main(argv: list[str]) -> None:
    """`python -m dashboard.serve run SCRIPT FLAGS`: Streamlit's `streamlit run`, with the
    programme warmed in the background when SCRIPT is the dashboard."""
    if len(argv) > 1 and argv[0] == "run" and Path(argv[1]).resolve() == APP:
        threading.Thread(target=warm_up, name=WARM_THREAD, daemon=True).start()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *argv]
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
