"""The world the synthetic travellers move in: countries, documents, ports, flights.

Use these tables for every categorical value the generator writes. Weights are rough
shares, chosen so land exits are mostly Canadians and Americans and the removal inventory
has the nationality mix of a real one (Mexico, India, Haiti, China, Colombia, Nigeria ...).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """A nationality as it shows in the data, with the names its people carry."""

    code: str  # ICAO 9303 code as printed on the document (Germany is D)
    locale: str
    subjects: float
    land: float
    air: float
    doc_pattern: str  # L letter, # digit, anything else literal


ORIGINS: tuple[Origin, ...] = (
    Origin("CAN", "en_CA", 0.0, 48.0, 40.0, "LL######"),
    Origin("CAN", "fr_CA", 0.0, 12.0, 12.0, "LL######"),
    Origin("USA", "en_US", 3.0, 24.0, 8.0, "#########"),
    Origin("USA", "es_MX", 0.5, 3.0, 1.0, "L########"),
    Origin("MEX", "es_MX", 12.0, 1.0, 3.0, "G########"),
    Origin("COL", "es_CO", 5.0, 0.3, 1.0, "LL#######"),
    Origin("ESP", "es_ES", 0.5, 0.1, 0.8, "LLL######"),
    Origin("BRA", "pt_BR", 2.0, 0.2, 1.0, "LL######"),
    Origin("GBR", "en_GB", 1.0, 0.5, 3.0, "#########"),
    Origin("FRA", "fr_FR", 1.0, 0.4, 3.0, "##LL#####"),
    Origin("HTI", "fr_FR", 6.0, 0.2, 0.5, "LL#######"),
    Origin("D", "de_DE", 0.5, 0.3, 1.5, "C########"),
    Origin("POL", "pl_PL", 1.0, 0.1, 0.5, "LL#######"),
    Origin("TUR", "tr_TR", 3.0, 0.1, 0.6, "U########"),
    Origin("VNM", "vi_VN", 2.0, 0.05, 0.8, "L#######"),
    Origin("IND", "en_IN", 12.0, 0.5, 4.0, "L#######"),
    Origin("PHL", "fil_PH", 3.0, 0.2, 2.0, "P#######L"),
    Origin("JPN", "ja_JP", 0.2, 0.1, 1.0, "LL#######"),
    Origin("NGA", "en_NG", 6.0, 0.05, 0.7, "L########"),
    Origin("RUS", "ru_RU", 2.0, 0.05, 0.4, "##########"),
    Origin("UKR", "uk_UA", 2.0, 0.05, 0.6, "LL######"),
    Origin("CHN", "zh_CN", 6.0, 0.1, 3.0, "E########"),
    Origin("TWN", "zh_TW", 0.3, 0.02, 0.5, "#########"),
    Origin("SYR", "ar", 2.0, 0.02, 0.3, "N########"),
    Origin("EGY", "ar", 2.0, 0.02, 0.4, "A########"),
    Origin("IRQ", "ar", 2.0, 0.02, 0.2, "LL#######"),
    Origin("LBN", "ar", 1.5, 0.02, 0.6, "LR#######"),
    Origin("MAR", "ar", 1.0, 0.02, 0.5, "LL#######"),
    Origin("DZA", "ar", 1.5, 0.02, 0.5, "#########"),
    Origin("SAU", "ar", 1.0, 0.02, 0.4, "L#######"),
    Origin("JOR", "ar", 0.8, 0.02, 0.2, "L#######"),
    Origin("YEM", "ar", 0.5, 0.01, 0.05, "#########"),
    Origin("AFG", "ar", 1.0, 0.01, 0.1, "P########"),
    Origin("PAK", "ar", 3.0, 0.05, 1.0, "LL#######"),
)

# Issuers of the second passport a dual national may leave on.
SECOND_PASSPORTS: tuple[tuple[str, str], ...] = (
    ("USA", "#########"),
    ("GBR", "#########"),
    ("FRA", "##LL#####"),
    ("ESP", "LLL######"),
    ("PRT", "L######"),
    ("ITA", "LL#######"),
    ("D", "C########"),
    ("TUR", "U########"),
    ("BRA", "LL######"),
    ("LBN", "LR#######"),
)

# US land ports of entry on the northern border, with rough shares of traffic.
LAND_PORTS: tuple[tuple[str, float], ...] = (
    ("BLAINE WA - PEACE ARCH", 9.0),
    ("BLAINE WA - PACIFIC HIGHWAY", 6.0),
    ("DETROIT MI - AMBASSADOR BRIDGE", 8.0),
    ("DETROIT MI - WINDSOR TUNNEL", 5.0),
    ("BUFFALO NY - PEACE BRIDGE", 8.0),
    ("LEWISTON NY - QUEENSTON BRIDGE", 5.0),
    ("NIAGARA FALLS NY - RAINBOW BRIDGE", 5.0),
    ("PORT HURON MI - BLUE WATER BRIDGE", 6.0),
    ("CHAMPLAIN NY", 6.0),
    ("HIGHGATE SPRINGS VT", 2.0),
    ("DERBY LINE VT", 2.0),
    ("ALEXANDRIA BAY NY", 3.0),
    ("OGDENSBURG NY", 1.0),
    ("MASSENA NY", 1.0),
    ("SAULT STE MARIE MI", 2.0),
    ("INTERNATIONAL FALLS MN", 1.0),
    ("PEMBINA ND", 1.5),
    ("PORTAL ND", 0.5),
    ("SWEETGRASS MT", 1.5),
    ("OROVILLE WA", 0.7),
    ("SUMAS WA", 2.0),
    ("LYNDEN WA", 1.5),
    ("POINT ROBERTS WA", 1.0),
    ("HOULTON ME", 1.0),
    ("CALAIS ME", 1.5),
    ("MADAWASKA ME", 0.5),
    ("JACKMAN ME", 0.3),
)


def port_offset_hours(port: str) -> int:
    """Standard-time UTC offset of a US land port, from its state (daylight time ignored:
    the offset written always matches the instant)."""
    state = port.split(" - ")[0].split()[-1]
    return {"WA": -8, "MT": -7, "ND": -6, "MN": -6}.get(state, -5)


# (IATA code, share of departures) of Canadian airports with international flights.
AIRPORTS: tuple[tuple[str, float], ...] = (
    ("YYZ", 40.0),
    ("YVR", 20.0),
    ("YUL", 18.0),
    ("YYC", 8.0),
    ("YEG", 3.0),
    ("YOW", 3.0),
    ("YHZ", 2.0),
    ("YWG", 2.0),
    ("YQB", 1.0),
    ("YLW", 0.5),
)

# (carrier, destinations, flight numbers from, flight numbers to, share of passengers)
CARRIERS: tuple[tuple[str, tuple[str, ...], int, int, float], ...] = (
    ("AC", ("LHR", "CDG", "FRA", "JFK", "LAX", "CUN", "HKG", "DEL", "NRT", "FCO"), 1, 1999, 40.0),
    ("WS", ("CUN", "LAS", "MCO", "PVR", "LGW", "DUB", "SJD", "PHX"), 1, 2999, 18.0),
    ("TS", ("CUN", "PUJ", "CDG", "LIS", "FAO", "NCE", "VRA"), 100, 999, 6.0),
    ("PD", ("EWR", "FLL", "MCO", "TPA", "BOS"), 100, 999, 3.0),
    ("F8", ("LAS", "CUN", "PVR", "LAX", "ORL"), 1000, 1999, 3.0),
    ("AA", ("DFW", "ORD", "MIA", "CLT", "PHL"), 100, 3999, 5.0),
    ("DL", ("ATL", "DTW", "MSP", "JFK", "SEA"), 100, 3999, 5.0),
    ("UA", ("ORD", "EWR", "DEN", "SFO", "IAD"), 100, 3999, 5.0),
    ("BA", ("LHR",), 90, 99, 2.0),
    ("AF", ("CDG",), 340, 359, 2.0),
    ("LH", ("FRA", "MUC"), 470, 495, 2.0),
    ("KL", ("AMS",), 670, 699, 1.0),
    ("EK", ("DXB",), 240, 243, 1.5),
    ("QR", ("DOH",), 760, 765, 1.0),
    ("TK", ("IST",), 18, 20, 1.5),
    ("AM", ("MEX", "GDL"), 680, 695, 1.5),
    ("CX", ("HKG",), 810, 839, 1.0),
    ("CA", ("PEK",), 995, 998, 0.7),
    ("MU", ("PVG",), 208, 209, 0.5),
    ("AI", ("DEL", "BOM"), 186, 188, 1.0),
    ("ET", ("ADD",), 550, 551, 0.5),
    ("RJ", ("AMM",), 270, 271, 0.3),
    ("MS", ("CAI",), 996, 997, 0.3),
    ("AT", ("CMN",), 209, 209, 0.3),
    ("PR", ("MNL",), 117, 119, 0.5),
    ("AV", ("BOG",), 207, 209, 0.5),
)

CBSA_REGIONS: tuple[tuple[str, float], ...] = (
    ("Greater Toronto Area", 38.0),
    ("Quebec", 25.0),
    ("Pacific", 16.0),
    ("Prairie", 10.0),
    ("Southern Ontario", 6.0),
    ("Northern Ontario", 2.0),
    ("Atlantic", 3.0),
)

# Canadian ports for arrivals (entries file): airports and the busiest land crossings.
ENTRY_PORTS: tuple[tuple[str, float], ...] = (
    ("YYZ", 25.0),
    ("YVR", 12.0),
    ("YUL", 11.0),
    ("YYC", 5.0),
    ("DOUGLAS BC", 8.0),
    ("PACIFIC HIGHWAY BC", 5.0),
    ("AMBASSADOR BRIDGE ON", 7.0),
    ("PEACE BRIDGE ON", 6.0),
    ("BLUE WATER BRIDGE ON", 5.0),
    ("QUEENSTON-LEWISTON BRIDGE ON", 4.0),
    ("LACOLLE QC", 5.0),
    ("STANSTEAD QC", 2.0),
    ("EMERSON MB", 1.5),
    ("COUTTS AB", 1.5),
    ("ST STEPHEN NB", 1.5),
)

# Air exit data exists from 25 June 2020 (Exit Information Regulations, SOR/2019-241).
AIR_EXIT_DATA_FROM = "2020-06-25"
