"""The national hierarchy of the demo: the ten regions of England and Wales (one ROCU each), their
43 territorial police forces, and the local policing areas (BCUs) of four forces.

Codes are unique among units of the same kind across the whole demo, so that the seed finds a unit
again even after an admin has moved it.
"""

from typing import NamedTuple


class DemoUnit(NamedTuple):
    code: str
    name: str


NATIONAL = DemoUnit("UK", "National")

# The law enforcement agencies at Level 3, each a unit of its own beside the national unit.
AGENCIES: list[DemoUnit] = [
    DemoUnit("NCA", "National Crime Agency"),
    DemoUnit("ROCU-WM", "West Midlands Regional Organised Crime Unit"),
    DemoUnit("BTP", "British Transport Police"),
    DemoUnit("HMRC", "HM Revenue and Customs"),
    DemoUnit("BF", "Border Force"),
]

# Region -> its territorial forces, in the regions of the Regional Organised Crime Units.
FORCES_BY_REGION: dict[DemoUnit, list[DemoUnit]] = {
    DemoUnit("NE", "North East"): [
        DemoUnit("CLEV", "Cleveland Police"),
        DemoUnit("DURH", "Durham Constabulary"),
        DemoUnit("NBRIA", "Northumbria Police"),
    ],
    DemoUnit("NW", "North West"): [
        DemoUnit("CHES", "Cheshire Constabulary"),
        DemoUnit("CUMB", "Cumbria Constabulary"),
        DemoUnit("GMP", "Greater Manchester Police"),
        DemoUnit("LANCS", "Lancashire Constabulary"),
        DemoUnit("MERS", "Merseyside Police"),
    ],
    DemoUnit("YH", "Yorkshire and the Humber"): [
        DemoUnit("HUMB", "Humberside Police"),
        DemoUnit("NYP", "North Yorkshire Police"),
        DemoUnit("SYP", "South Yorkshire Police"),
        DemoUnit("WYP", "West Yorkshire Police"),
    ],
    DemoUnit("EM", "East Midlands"): [
        DemoUnit("DERBYS", "Derbyshire Constabulary"),
        DemoUnit("LEICS", "Leicestershire Police"),
        DemoUnit("LINCS", "Lincolnshire Police"),
        DemoUnit("NTHANTS", "Northamptonshire Police"),
        DemoUnit("NOTTS", "Nottinghamshire Police"),
    ],
    DemoUnit("WM", "West Midlands"): [
        DemoUnit("STAFFS", "Staffordshire Police"),
        DemoUnit("WARKS", "Warwickshire Police"),
        DemoUnit("WMERC", "West Mercia Police"),
        DemoUnit("WMP", "West Midlands Police"),
    ],
    DemoUnit("EAST", "Eastern"): [
        DemoUnit("BEDS", "Bedfordshire Police"),
        DemoUnit("CAMBS", "Cambridgeshire Constabulary"),
        DemoUnit("ESSEX", "Essex Police"),
        DemoUnit("HERTS", "Hertfordshire Constabulary"),
        DemoUnit("NORF", "Norfolk Constabulary"),
        DemoUnit("SUFF", "Suffolk Constabulary"),
    ],
    DemoUnit("LDN", "London"): [
        DemoUnit("MPS", "Metropolitan Police Service"),
        DemoUnit("COLP", "City of London Police"),
    ],
    DemoUnit("SE", "South East"): [
        DemoUnit("HIOW", "Hampshire and Isle of Wight Constabulary"),
        DemoUnit("KENT", "Kent Police"),
        DemoUnit("SURREY", "Surrey Police"),
        DemoUnit("SUSSEX", "Sussex Police"),
        DemoUnit("TVP", "Thames Valley Police"),
    ],
    DemoUnit("SW", "South West"): [
        DemoUnit("ASP", "Avon and Somerset Police"),
        DemoUnit("DCP", "Devon and Cornwall Police"),
        DemoUnit("DORSET", "Dorset Police"),
        DemoUnit("GLOS", "Gloucestershire Constabulary"),
        DemoUnit("WILTS", "Wiltshire Police"),
    ],
    DemoUnit("WALES", "Wales"): [
        DemoUnit("DPP", "Dyfed-Powys Police"),
        DemoUnit("GWENT", "Gwent Police"),
        DemoUnit("NWP", "North Wales Police"),
        DemoUnit("SWP", "South Wales Police"),
    ],
}

# Force code -> its local policing areas (BCUs), as the forces name them.
BCUS_BY_FORCE: dict[str, list[DemoUnit]] = {
    "WMP": [
        DemoUnit("WMP-BE", "Birmingham East"),
        DemoUnit("WMP-BW", "Birmingham West"),
        DemoUnit("WMP-COV", "Coventry"),
        DemoUnit("WMP-DUD", "Dudley"),
        DemoUnit("WMP-SAN", "Sandwell"),
        DemoUnit("WMP-SOL", "Solihull"),
        DemoUnit("WMP-WAL", "Walsall"),
        DemoUnit("WMP-WOL", "Wolverhampton"),
    ],
    "STAFFS": [
        DemoUnit("STAFFS-STOKE", "Stoke-on-Trent"),
        DemoUnit("STAFFS-NUL", "Newcastle-under-Lyme"),
        DemoUnit("STAFFS-STAF", "Stafford and Staffordshire Moorlands"),
        DemoUnit("STAFFS-CAN", "Cannock Chase and South Staffordshire"),
        DemoUnit("STAFFS-ESTAF", "East Staffordshire"),
        DemoUnit("STAFFS-LT", "Lichfield and Tamworth"),
    ],
    "GMP": [
        DemoUnit("GMP-BOLTON", "Bolton"),
        DemoUnit("GMP-BURY", "Bury"),
        DemoUnit("GMP-MCR", "City of Manchester"),
        DemoUnit("GMP-OLDHAM", "Oldham"),
        DemoUnit("GMP-ROCH", "Rochdale"),
        DemoUnit("GMP-SALFORD", "Salford"),
        DemoUnit("GMP-STOCK", "Stockport"),
        DemoUnit("GMP-TAMES", "Tameside"),
        DemoUnit("GMP-TRAFF", "Trafford"),
        DemoUnit("GMP-WIGAN", "Wigan"),
    ],
    "MPS": [
        DemoUnit("MPS-AW", "Central West (Westminster, Kensington and Chelsea, Hammersmith)"),
        DemoUnit("MPS-CN", "Central North (Camden and Islington)"),
        DemoUnit("MPS-CE", "Central East (Hackney and Tower Hamlets)"),
        DemoUnit("MPS-AS", "Central South (Lambeth and Southwark)"),
        DemoUnit("MPS-NA", "North Area (Enfield and Haringey)"),
        DemoUnit("MPS-NE", "North East (Newham and Waltham Forest)"),
        DemoUnit("MPS-NW", "North West (Barnet, Brent and Harrow)"),
        DemoUnit("MPS-EA", "East Area (Barking and Dagenham, Havering, Redbridge)"),
        DemoUnit("MPS-SE", "South East (Bexley, Greenwich and Lewisham)"),
        DemoUnit("MPS-SN", "South Area (Bromley, Croydon and Sutton)"),
        DemoUnit("MPS-SW", "South West (Kingston, Merton, Richmond, Wandsworth)"),
        DemoUnit("MPS-WA", "West Area (Ealing, Hillingdon and Hounslow)"),
    ],
}
