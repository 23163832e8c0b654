"""Nothing stored goes missing from an unfiltered view or export: a donor with no funding, an
administration no donor funds, an indicator with no values and an activity with no partner
are all in the exports in the upload format; filters and scope narrow what is shown, never
the stored truth."""
from __future__ import annotations

import pytest

from helpers import committed
from models.access import LOCAL_ADMIN, Scope
from models.exporting import data_frame
from models.queries.filters import Filters
from models.queries.snapshot import load_snapshot, view

UNLINKED = [
    ("donors.csv", "code,name,country\nHD1,Holdout Donor One,NOR\n"),
    ("partners.csv", "code,name,country,region,joined_on,status\nXKX,Lone Customs,Mexico,AME,2024-01-01,active\n"),
    ("indicators.csv", "code,name,level,measure,ascending,unit,key_factor,result\nIND99,Unreported indicator,impact,unit,true,count,3,IMP\n"),
    ("activities.csv", "code,title,type,start\nACT-LONE,Desk study,other,2024-05-01\n"),
]

# (export, key column, the stored-but-unlinked code)
CASES = [("donors", "code", "HD1"), ("partners", "code", "XKX"), ("indicators", "code", "IND99"), ("activities", "code", "ACT-LONE")]


@pytest.fixture
def unlinked(demo_engine):
    committed(demo_engine, *UNLINKED)
    return load_snapshot(demo_engine)


@pytest.mark.parametrize("name, key, code", CASES, ids=[c[0] for c in CASES])
def test_an_unfiltered_export_holds_what_has_no_links(unlinked, name, key, code):
    assert code in set(data_frame(view(unlinked, Filters(), LOCAL_ADMIN), name)[key])


@pytest.mark.parametrize("scope, filters, seen", [
    (LOCAL_ADMIN, Filters(), True),
    (Scope(email="v@example.org", role="viewer"), Filters(), True),
    (LOCAL_ADMIN, Filters(regions=("AME",)), False),  # narrowed to administrations: their funders only
    (LOCAL_ADMIN, Filters(donors=("NOR",)), False),
    (Scope(email="n@example.org", role="donor", donor="NOR"), Filters(), False),
    (Scope(email="g@example.org", role="partner", partner="GTM"), Filters(), False),
], ids=["admin", "viewer", "region-filter", "donor-filter", "other-donor", "partner"])
def test_a_donor_without_funding_is_shown_unless_the_view_is_narrowed(unlinked, scope, filters, seen):
    assert ("HD1" in set(view(unlinked, filters, scope).donors["code"])) == seen
