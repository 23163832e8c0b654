"""The import history as text for the command line (`history`, `history BATCH_ID`): columns
as wide as their widest cell, so a long e-mail widens its column instead of pushing the rest
out of line. Loads neither pandas nor plotly for the list of batches."""
from __future__ import annotations


def history_text(records: list[dict]) -> str:
    """The batches as a table whose columns are as wide as their widest cell (a long e-mail
    widens its column instead of pushing the rest out of line)."""
    from models.batches import batch_record

    lines = []
    for r in records:
        r = r | {"applied_as": batch_record(r)["applied_as"]}
        extra = f" (reverts batch {int(r['reverts'])})" if r["reverts"] == r["reverts"] and r["reverts"] is not None else ""
        extra += {"approved": f" (approved by {r['reviewer']} as batch {r['applied_as']})",
                  "returned": f" (returned by {r['reviewer']}: {r['reason']})", "submitted": " (awaiting review)"}.get(r["status"], "")
        lines.append([str(int(r["id"])), f"{r['at']:%Y-%m-%d %H:%M}", str(r["user"]), str(r["source"]), str(r["status"]),
                      f"+{int(r['created'])} ~{int(r['updated'])} ={int(r['unchanged'])} -{int(r['deleted'])}",
                      ", ".join(r["files"]) + extra])
    return columns(["batch", "when (UTC)", "who", "source", "status", "+new ~changed =same -removed", "files"], lines,
                    right=(0,))


def columns(header: list[str], lines: list[list[str]], right: tuple[int, ...] = ()) -> str:
    """Text columns sized to their content (the last one left ragged)."""
    widths = [max(len(x) for x in col) for col in zip(header, *lines)]
    out = []
    for cells in [header, *lines]:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells[:-1], widths))]
        out.append("  ".join([*parts, cells[-1]]).rstrip())
    return "\n".join(out)


def batch_text(detail: dict) -> str:
    """One batch for people: who, when, what it did, then one line per changed field."""
    from models.row_changes import changes_frame
    from models.wording import plural

    head = [f"Batch {detail['id']}: {detail['status']} ({detail['source']}), by {detail['user']} at {(detail['at'] or '')[:16].replace('T', ' ')} UTC",
            f"Files: {', '.join(detail['files'])}"]
    if detail["source"] == "revert":
        head.append(f"Reverts batch {detail['reverts']}: {plural(detail['updated'], 'row')} restored, "
                    f"{plural(detail['deleted'], 'row')} removed")
    else:
        head.append(f"{detail['created']} new, {detail['updated']} changed, {detail['unchanged']} unchanged")
    if detail["status"] == "approved":
        head.append(f"Approved by {detail['reviewer']} as batch {detail['applied_as']}: the rows it applied")
    if detail["status"] == "returned":
        head.append(f"Returned by {detail['reviewer']}: {detail['reason']} (its values were discarded)")
    frame = changes_frame(detail["rows"])
    if frame.empty:
        return "\n".join([*head, "No rows to show."])
    cells = [["" if v is None or v != v else str(v) for v in line] for line in frame.astype(object).itertuples(index=False)]
    shown = len(detail["rows"])
    more = (f"\nThe first {shown:,} of {detail['rows_total']:,} rows are shown; --json lists the same"
            if detail["rows_total"] > shown else "")
    return "\n".join(head) + "\n\n" + columns(list(frame.columns), cells) + more
