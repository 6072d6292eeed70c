"""ICAO 9303 nationality and issuing-state codes.

Reach for this to check or canonicalise a three-letter code. The ISO 3166-1 alpha-3 list
comes from pycountry (kept current by its maintainers); ICAO's own codes, which ISO does
not assign, are listed here from ICAO Doc 9303 Part 3.
"""

from __future__ import annotations

from functools import cache

import pycountry

# ICAO Doc 9303 Part 3, codes that are not ISO 3166-1 alpha-3, with the ISO code they
# stand for where there is one (None: no country, e.g. stateless or an organisation).
ICAO_ONLY_CODES: dict[str, str | None] = {
    "D": "DEU",  # Germany
    "GBD": "GBR",  # British Overseas Territories Citizen
    "GBN": "GBR",  # British National (Overseas)
    "GBO": "GBR",  # British Overseas Citizen
    "GBP": "GBR",  # British Protected Person
    "GBS": "GBR",  # British Subject
    "UNK": None,  # Kosovo (UNMIK documents)
    "RKS": None,  # Kosovo (Republic of Kosovo documents)
    "EUE": None,  # European Union
    "UNO": None,  # United Nations Organization
    "UNA": None,  # UN specialized agency
    "XBA": None,  # African Development Bank
    "XIM": None,  # African Export-Import Bank
    "XCC": None,  # Caribbean Community
    "XCO": None,  # Common Market for Eastern and Southern Africa
    "XEC": None,  # Economic Community of West African States
    "XPO": None,  # Interpol
    "XES": None,  # Organisation of Eastern Caribbean States
    "XMP": None,  # Parliamentary Assembly of the Mediterranean
    "XOM": None,  # Sovereign Military Order of Malta
    "XDC": None,  # Southern African Development Community
    "XXA": None,  # Stateless person (1954 Convention)
    "XXB": None,  # Refugee (1951 Convention)
    "XXC": None,  # Refugee (other)
    "XXX": None,  # Unspecified nationality
}


@cache
def iso_alpha3_codes() -> frozenset[str]:
    """Every current ISO 3166-1 alpha-3 code."""
    return frozenset(str(c.alpha_3) for c in pycountry.countries)


@cache
def icao_codes() -> frozenset[str]:
    """Every code accepted as a nationality or issuing state (ISO alpha-3 plus ICAO's own)."""
    return iso_alpha3_codes() | frozenset(ICAO_ONLY_CODES)


def is_country_code(code: str) -> bool:
    """True when ``code`` (any case, surrounding spaces ignored) is an ICAO 9303 code."""
    return code.strip().upper() in icao_codes()


def canonical_country(code: str) -> str | None:
    """The ISO alpha-3 a code stands for (``D`` -> ``DEU``), the ICAO code itself where ISO
    has none (``XXA``), or None when the code is unknown."""
    upper = code.strip().upper()
    if upper in ICAO_ONLY_CODES:
        return ICAO_ONLY_CODES[upper] or upper
    return upper if upper in iso_alpha3_codes() else None
