"""`resultsboard serve`: start Streamlit with its essential settings passed as flags, so it
behaves the same from any working directory (no request leaves the machine)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(port: int, max_upload_mb: int = 100) -> list[str]:
    """`max_upload_mb`: Streamlit's per-file upload limit, the config's [import] max_upload_mb."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.enableStaticServing", "true",
        "--client.toolbarMode", "minimal",
        "--server.fileWatcherType", "none",
        "--theme.base", "light",
        "--server.maxUploadSize", str(max_upload_mb),
    ]


def serve(port: int = 8501, max_upload_mb: int = 100) -> int:
    """Replace this process with Streamlit, so signals (Ctrl+C, SIGTERM from a process
    manager) reach the server itself and no orphan keeps the port."""
    print(f"Resultsboard on http://127.0.0.1:{port}  (Ctrl+C to stop)", flush=True)
    os.chdir(APP.parent)
    command = streamlit_command(port, max_upload_mb)
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return
