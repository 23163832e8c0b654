"""Reference data present in every database, and country matching (pycountry)."""
from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache

REGIONS = {
    "AME": "Americas and the Caribbean",
    "ESA": "East and Southern Africa",
    "EUR": "Europe",
    "AP": "Asia/Pacific",
    "MENA": "North of Africa, Near and Middle East",
    "WCA": "West and Central Africa",
}

KEY_FACTORS = {
    1: "Leadership and Commitment",
    2: "Regulatory Framework",
    3: "Transparency",
    4: "Automation",
    5: "Reform and Modernization",
    6: "Audit and Investigation",
    7: "Code of Conduct",
    8: "Human Resource Management",
    9: "Morale and Organizational Culture",
    10: "Relationship with the Private Sector",
}

PROGRAMME_PARTNER_NAME = "Programme level (all partners)"

# Short names people write that pycountry does not know as such.
COUNTRY_ALIASES = {
    "tanzania": "TZA",
    "palestine": "PSE",
    "cote d'ivoire": "CIV",
    "cote d ivoire": "CIV",
    "ivory coast": "CIV",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "iran": "IRN",
    "syria": "SYR",
    "laos": "LAO",
    "moldova": "MDA",
    "russia": "RUS",
    "south korea": "KOR",
    "north korea": "PRK",
    "vietnam": "VNM",
    "turkey": "TUR",
    "democratic republic of the congo": "COD",
    "dr congo": "COD",
    "drc": "COD",
    "republic of the congo": "COG",
    "congo": "COG",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "eswatini": "SWZ",
    "czech republic": "CZE",
    "macedonia": "MKD",
    "united states": "USA",
    "usa": "USA",
    "uk": "GBR",
    "united kingdom": "GBR",
}


def _fold(text: str) -> str:
    """Lower-case, accents removed, curly apostrophes made straight, spaces collapsed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    import pycountry

    index: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_2", "alpha_3"):
            value = getattr(c, attr, None)
            if value:
                index.setdefault(_fold(value), c.alpha_3)
    for alias, code in COUNTRY_ALIASES.items():
        index[_fold(alias)] = code
    return index


def country_code(text: str) -> str | None:
    """ISO 3166 alpha-3 for a country name, official/common name, alpha-2 or alpha-3."""
    return _country_index().get(_fold(text))


def country_suggestion(text: str) -> str | None:
    """A did-you-mean for an unknown country."""
    import pycountry

    names = [c.name for c in pycountry.countries]
    folded = {_fold(n): n for n in names}
    match = difflib.get_close_matches(_fold(text), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def country_name(alpha3: str | None) -> str:
    """Display name for a stored alpha-3 code."""
    if not alpha3:
        return ""
    import pycountry

    c = pycountry.countries.get(alpha_3=alpha3)
    if c is None:
        return alpha3
    return getattr(c, "common_name", None) or c.name
