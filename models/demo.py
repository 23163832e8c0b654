"""The demo programme: seed files in the upload formats, loaded through the import engine.

The demo loads only into a database that holds no programme data: `init --demo` run again
changes nothing, and a newer version of the seed files never reaches a database that users
have worked in.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from models.access import LOCAL_ADMIN
from models.config import REPO_ROOT, load_settings
from models.importing import ImportReport, Upload, import_files
from models.tables import (
    PROGRAMME_PARTNER_CODE,
    Activity,
    Agreement,
    Baseline,
    Donor,
    Funding,
    Indicator,
    Partner,
    Result,
    Value,
)

SEEDS_DIR = REPO_ROOT / "seeds"
DEMO_USER = "demo"


def seed_files(directory: Path = SEEDS_DIR) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))


PROGRAMME_TABLES = (Donor, Agreement, Funding, Result, Indicator, Activity, Value, Baseline)


def has_programme_data(engine: Engine) -> bool:
    """Whether any programme row is stored (reference data and the programme-level partner aside)."""
    with engine.connect() as conn:
        if conn.execute(select(Partner.id).where(Partner.code != PROGRAMME_PARTNER_CODE).limit(1)).first():
            return True
        return any(conn.execute(select(model.id).limit(1)).first() for model in PROGRAMME_TABLES)


def load_demo(engine: Engine, directory: Path = SEEDS_DIR) -> ImportReport | None:
    """Import every seed file as one batch with source 'demo' — only into a database without
    programme data; otherwise change nothing and return None."""
    if has_programme_data(engine):
        return None
    uploads = [Upload.from_path(p, load_settings().limits.max_upload_bytes) for p in seed_files(directory)]
    return import_files(engine, uploads, user=DEMO_USER, source="demo", scope=LOCAL_ADMIN)
