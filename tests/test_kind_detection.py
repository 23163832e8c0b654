"""Which kind of file a header holds (DESIGN.md, "Upload formats": Kind)."""
import pytest

from models.reading import detect_kind, read_upload


@pytest.mark.parametrize(
    "columns, expected",
    [
        # donors, partners: partners recognise more, so they win when all theirs are there
        ("code,name", ("donors", ["donors"])),
        ("code,name,country", ("donors", ["donors"])),
        ("code,name,country,region", ("partners", ["partners"])),
        ("code,name,country,region,joined_on,status", ("partners", ["partners"])),
        ("Code,Name,Country,Region", ("partners", ["partners"])),
        # funding: donor plus phase or partner
        ("donor,phase,amount,currency", ("funding", ["funding"])),
        ("donor,partner", ("funding", ["funding"])),
        ("donor,amount", (None, ["funding"])),
        # framework, indicators, activities
        ("code,title,level", ("framework", ["framework"])),
        ("code,title,level,parent", ("framework", ["framework"])),
        ("code,name,level,measure,ascending,unit", ("indicators", ["indicators"])),
        ("code,title,type,start,partners,key_factors", ("activities", ["activities"])),
        ("code,title,type,start,donor,partner", ("activities", ["activities"])),
        # results: never taken for something else
        ("indicator,period,actual", ("results", ["results"])),
        ("indicator,period_start,period_end,target", ("results", ["results"])),
        ("Indicator,Period Start,Period End,Actual", ("results", ["results"])),
        ("indicator,baseline,baseline_year", ("results", ["results"])),
        ("indicator,partner,period,actual,code,name,country,region,donor,phase", ("results", ["results"])),
        ("indicator,actual", (None, ["results"])),
        # ties and no match
        ("code,title,level,type,start,parent", (None, ["framework", "activities"])),
        ("code", (None, ["donors", "partners", "framework", "indicators", "activities"])),
        ("foo,bar", (None, [])),
        ("", (None, [])),
    ],
)
def test_detect_kind(columns, expected):
    assert detect_kind(columns.split(",")) == expected


@pytest.mark.parametrize(
    "header, kind, checks",
    [
        ("code,name,country,region", "partners", []),
        ("indicator,period,actual", "results", []),
        ("foo,bar", None, [(1, "", "unknown-kind")]),
        ("code,title,level,type,start,parent", None, [(1, "", "unknown-kind")]),
    ],
)
def test_read_upload_detects_kind(header, kind, checks):
    table = read_upload(f"{header}\n".encode(), "f.csv")
    assert table.kind == kind
    assert [(i.row, i.column, i.check) for i in table.issues] == checks


def test_unknown_kind_message_names_closest_kinds_and_their_required_columns():
    table = read_upload(b"indicator,actual,remarks\nI1,5,x\n", "f.csv")
    (issue,) = table.issues
    assert (issue.value, issue.severity) == ("indicator, actual, remarks", "error")
    assert issue.message == (
        "could not tell what this file holds; closest kinds: results (required columns: indicator;"
        " period_start and period_end, or period; at least one of target, actual, baseline);"
        " use --kind KIND"  # on the upload page: "choose its kind in the Kind box beside the file" (tests/test_dry_run_rows.py)
    )
    # kind unknown: every named column kept, no unknown-column warnings
    assert list(table.frame.columns) == ["indicator", "actual", "remarks"]


def test_tie_message_names_the_tied_kinds():
    (issue,) = read_upload(b"code,title,level,type,start,parent\n", "f.csv").issues
    assert "fit more than one kind: framework, activities" in issue.message
    assert "--kind KIND" in issue.message


def test_no_overlap_message_lists_every_kind():
    (issue,) = read_upload(b"foo,bar\n1,2\n", "f.csv").issues
    assert "kinds are: donors, partners, funding, framework, indicators, activities, results" in issue.message


@pytest.mark.parametrize("kind", ["results", "Results", " RESULTS "])
def test_forced_kind_is_normalised(kind):
    table = read_upload(b"code,name\nA,B\n", "f.csv", kind=kind)
    assert table.kind == "results"
    assert [(i.row, i.column, i.check) for i in table.issues] == [
        (1, "code", "unknown-column"),
        (1, "name", "unknown-column"),
        (1, "indicator", "missing-column"),
        (1, "period", "missing-column"),
        (1, "actual", "missing-column"),
    ]


def test_forced_unknown_kind_is_refused():
    table = read_upload(b"code,name\nA,B\n", "f.csv", kind="sponsors")
    assert [(i.row, i.column, i.check, i.value) for i in table.issues] == [(0, "", "unknown-kind", "sponsors")]
    assert table.kind is None
