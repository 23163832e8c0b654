"""IATI 2.03 activity files, out and in (DESIGN.md and README, "IATI").

`export` builds `iati-activities` from a filtered, scoped view; `validate` checks a tree
against the vendored official schema (`schema/`, with its licence note) and IATI's rules
before anything is written; `reading` turns an IATI file's results into the framework,
indicators and results tables the CSV kinds produce, so an IATI import goes through the
same engine (dry run, problems, one transaction, batch, revert).
"""
