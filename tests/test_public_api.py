from __future__ import annotations

import directory


def test_directory_exports_exactly_its_public_names() -> None:
    assert sorted(directory.__all__) == sorted(
        [
            "CapacityChange", "ConfigError", "DirectoryError", "DirectorySettings",
            "ImportSummary", "InvalidCapacity", "InvalidData", "Need", "Place", "Point",
            "Problem", "SearchResult", "ServiceDetails", "UnknownNeed", "UnknownPlace",
            "UnknownService",
            "add_place", "export_directory", "haversine_km", "hsds_api", "import_dataset",
            "load_needs", "need_keys", "open_db", "read", "resolve", "search", "service_details",
            "set_capacity",
            "validate",
            "write_transaction",
        ]
    )  # fmt: skip
    for name in directory.__all__:
        assert hasattr(directory, name), name
