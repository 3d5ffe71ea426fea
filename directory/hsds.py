"""The HSDS 3.1 tables Wayfinder stores, with their columns in the standard's order.

Only these tables are imported; other HSDS files (contacts, funding, …) are reported as
skipped, because nothing in Wayfinder reads them and keeping half of them would make an
export look more complete than it is.
"""

from __future__ import annotations

# table name -> (canonical CSV file name, columns in HSDS 3.1 order)
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "organization": (
        "organizations.csv",
        (
            "id", "name", "alternate_name", "description", "email", "website", "tax_status",
            "tax_id", "year_incorporated", "legal_status", "logo", "uri",
            "parent_organization_id",
        ),
    ),
    "program": ("programs.csv", ("id", "organization_id", "name", "alternate_name", "description")),
    "service": (
        "services.csv",
        (
            "id", "organization_id", "program_id", "name", "alternate_name", "description",
            "url", "email", "status", "interpretation_services", "application_process",
            "fees_description", "wait_time", "fees", "accreditations",
            "eligibility_description", "minimum_age", "maximum_age", "assured_date",
            "assurer_email", "licenses", "alert", "last_modified",
        ),
    ),
    "location": (
        "locations.csv",
        (
            "id", "location_type", "url", "organization_id", "name", "alternate_name",
            "description", "transportation", "latitude", "longitude", "external_identifier",
            "external_identifier_type",
        ),
    ),
    "service_at_location": (
        "service_at_location.csv",
        ("id", "service_id", "location_id", "description"),
    ),
    "address": (
        "addresses.csv",
        (
            "id", "location_id", "attention", "address_1", "address_2", "city", "region",
            "state_province", "postal_code", "country", "address_type",
        ),
    ),
    "phone": (
        "phones.csv",
        (
            "id", "location_id", "service_id", "organization_id", "contact_id",
            "service_at_location_id", "number", "extension", "type", "description",
        ),
    ),
    "language": (
        "languages.csv",
        ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    ),
    "schedule": (
        "schedules.csv",
        (
            "id", "service_id", "location_id", "service_at_location_id", "valid_from",
            "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq", "interval",
            "byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at",
            "closes_at", "schedule_link", "attending_type", "notes",
        ),
    ),
    "taxonomy": ("taxonomies.csv", ("id", "name", "description", "uri", "version")),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        (
            "id", "code", "name", "description", "parent_id", "taxonomy", "language",
            "taxonomy_id", "term_uri",
        ),
    ),
    "attribute": (
        "attributes.csv",
        ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "label"),
    ),
    "unit": ("units.csv", ("id", "name", "scheme", "identifier", "uri")),
    "service_capacity": (
        "service_capacity.csv",
        ("id", "service_id", "unit_id", "available", "maximum", "description", "updated"),
    ),
    "service_area": (
        "service_areas.csv",
        (
            "id", "service_id", "service_at_location_id", "name", "description", "extent",
            "extent_type", "uri",
        ),
    ),
}  # fmt: skip

# Parents before children, so that references can be checked and written in order.
ORDER: tuple[str, ...] = tuple(TABLES)

# Columns holding numbers (stored as SQLite numbers, exported without quotes).
INTEGER_COLUMNS = {
    ("service", "minimum_age"),
    ("service", "maximum_age"),
    ("service_capacity", "available"),
    ("service_capacity", "maximum"),
    ("schedule", "count"),
    ("schedule", "interval"),
    ("phone", "extension"),
    ("organization", "year_incorporated"),
}
REAL_COLUMNS = {("location", "latitude"), ("location", "longitude"), ("schedule", "timezone")}

# HSDS's nested JSON keys (service_full.json) -> the table their objects belong to.
JSON_CHILDREN: dict[str, str] = {
    "organization": "organization",
    "program": "program",
    "programs": "program",  # an organization's programs
    "services": "service",  # an organization's services
    "phones": "phone",
    "languages": "language",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "location": "location",
    "locations": "location",
    "addresses": "address",
    "capacities": "service_capacity",
    "unit": "unit",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
}


def table_for_file(name: str) -> str | None:
    """The table a CSV file holds, by HSDS's file name or the table name itself."""
    stem = name.rsplit("/", 1)[-1].removesuffix(".csv")
    for table, (file_name, _) in TABLES.items():
        if stem in (table, file_name.removesuffix(".csv")):
            return table
    return None


# (table, column) -> the table the id must exist in.
REFERENCES: dict[tuple[str, str], str] = {
    ("organization", "parent_organization_id"): "organization",
    ("service", "organization_id"): "organization",
    ("service", "program_id"): "program",
    ("program", "organization_id"): "organization",
    ("location", "organization_id"): "organization",
    ("service_at_location", "service_id"): "service",
    ("service_at_location", "location_id"): "location",
    ("address", "location_id"): "location",
    ("phone", "service_id"): "service",
    ("phone", "location_id"): "location",
    ("phone", "organization_id"): "organization",
    ("phone", "service_at_location_id"): "service_at_location",
    ("language", "service_id"): "service",
    ("language", "location_id"): "location",
    ("language", "phone_id"): "phone",
    ("schedule", "service_id"): "service",
    ("schedule", "location_id"): "location",
    ("schedule", "service_at_location_id"): "service_at_location",
    ("taxonomy_term", "taxonomy_id"): "taxonomy",
    ("taxonomy_term", "parent_id"): "taxonomy_term",
    ("attribute", "taxonomy_term_id"): "taxonomy_term",
    ("service_capacity", "service_id"): "service",
    ("service_capacity", "unit_id"): "unit",
    ("service_area", "service_id"): "service",
    ("service_area", "service_at_location_id"): "service_at_location",
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "organization": ("name",),
    "program": ("name",),
    "service": ("name", "organization_id", "status"),
    "service_at_location": ("service_id", "location_id"),
    "address": ("location_id", "address_1", "city", "state_province", "country"),
    "phone": ("number",),
    "taxonomy_term": ("name",),
    "attribute": ("link_id", "taxonomy_term_id"),
    "unit": ("name",),
    "service_capacity": ("service_id", "unit_id", "available", "updated"),
    "service_area": ("service_id",),
}
