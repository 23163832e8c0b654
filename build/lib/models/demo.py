"""The demo programme: seed files in the upload formats, loaded through the import engine.

Each seed file is loaded only if its SHA-256 is not among committed batches, so `init --demo`
run again changes nothing and never overwrites what users changed.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import Engine, select

from models.config import REPO_ROOT
from models.importing import ImportReport, Upload, import_files
from models.tables import ImportBatch

SEEDS_DIR = REPO_ROOT / "seeds"
DEMO_USER = "demo"


def seed_files(directory: Path = SEEDS_DIR) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))


def loaded_hashes(engine: Engine) -> set[str]:
    """SHA-256 of every file in a committed batch."""
    with engine.connect() as conn:
        rows = conn.execute(select(ImportBatch.sha256).where(ImportBatch.status == "committed")).scalars().all()
    return {h for row in rows for h in json.loads(row)}


def load_demo(engine: Engine, directory: Path = SEEDS_DIR) -> ImportReport | None:
    """Import the seed files not loaded yet, as one batch with source 'demo'."""
    done = loaded_hashes(engine)
    todo = [p for p in seed_files(directory) if hashlib.sha256(p.read_bytes()).hexdigest() not in done]
    if not todo:
        return None
    uploads = [Upload(p.name, p.read_bytes()) for p in todo]
    return import_files(engine, uploads, user=DEMO_USER, source="demo")
