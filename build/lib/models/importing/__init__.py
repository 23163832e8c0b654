"""The import engine: one path in for uploads, the command line and the demo seeds.

All files of one call are one transaction and one batch, applied in dependency order.
Every problem is collected; any error means nothing is written. A dry run runs the very
same code and rolls back, so it reports exactly what a commit would.

Modules: `transaction` (the call, the batch), `report` (Upload, ImportReport), `context`
(state shared by the kinds), `checks` (checks every kind shares), `store` (stored rows and
the one write path, keyed by each kind's natural key), one module per group of kinds
(`organisations`, `framework`, `activities`, `results` with its steps `results_*`).
"""
from models.importing.report import ImportReport, Upload
from models.importing.transaction import import_files

__all__ = ["ImportReport", "Upload", "import_files"]
