"""`resultsboard serve`: start Streamlit with its essential settings passed as flags, so it
behaves the same from any working directory (no request leaves the machine)."""
from __future__ import annotations

import os
import sys
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
        sys.executable, "-m", "streamlit", "run", str(APP),
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
    command = streamlit_command(port, address, secrets, max_upload_mb)
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return
