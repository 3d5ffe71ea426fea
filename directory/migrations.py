"""Forward-only schema migrations, numbered by `PRAGMA user_version`.

Each migration runs inside the caller's write transaction, so a file is never left
half-migrated. Add a function at the end of MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from directory import engine, geo
from directory.engine import Database
from directory.hsds import INTEGER_COLUMNS, REAL_COLUMNS, TABLES


def _create_hsds_tables(db: Database) -> None:
    for table, (_, columns) in TABLES.items():
        types: dict[str, type] = {}
        for column in columns:
            if (table, column) in INTEGER_COLUMNS:
                types[column] = int
            elif (table, column) in REAL_COLUMNS:
                types[column] = float
            else:
                types[column] = str
        engine.create_table(db, table, types, pk="id")
    for table, column in [
        ("service", "organization_id"),
        ("service", "status"),
        ("service_at_location", "service_id"),
        ("service_at_location", "location_id"),
        ("address", "location_id"),
        ("phone", "service_id"),
        ("phone", "location_id"),
        ("schedule", "service_id"),
        ("schedule", "location_id"),
        ("schedule", "service_at_location_id"),
        ("attribute", "link_id"),
        ("attribute", "taxonomy_term_id"),
        ("service_capacity", "service_id"),
        ("service_area", "service_id"),
        ("location", "organization_id"),
    ]:
        engine.create_index(db, table, column)
    engine.create_text_index(db)


def _create_own_tables(db: Database) -> None:
    # The needs each service serves, and where that came from (taxonomy term or text).
    db.execute(
        """CREATE TABLE service_need (
            service_id TEXT NOT NULL, need TEXT NOT NULL, source TEXT NOT NULL,
            PRIMARY KEY (need, service_id)) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX service_need_service ON service_need (service_id)")
    # One row per (service, public location with coordinates): what search reads.
    db.execute(
        """CREATE TABLE search_point (
            id INTEGER PRIMARY KEY, service_id TEXT NOT NULL, location_id TEXT NOT NULL,
            lat REAL NOT NULL, lon REAL NOT NULL, timezone TEXT, address TEXT)"""
    )
    db.execute("CREATE INDEX search_point_service ON search_point (service_id)")
    engine.create_boxes(db, "search_point_rtree")
    # Service areas (mobile teams, confidential shelters): bounding boxes for the index,
    # the polygon itself checked exactly afterwards.
    db.execute(
        """CREATE TABLE search_area (
            id INTEGER PRIMARY KEY, service_id TEXT NOT NULL, service_area_id TEXT NOT NULL,
            geometry TEXT NOT NULL)"""
    )
    engine.create_boxes(db, "search_area_rtree")
    # Local places added by admins: neighbourhoods and landmarks people name.
    db.execute(
        """CREATE TABLE place (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            lat REAL NOT NULL, lon REAL NOT NULL, aliases TEXT NOT NULL DEFAULT '[]',
            created TEXT NOT NULL)"""
    )
    # Append-only change log, shaped after HSDS's `metadata` table plus who/how/result.
    db.execute(
        """CREATE TABLE change_log (
            id INTEGER PRIMARY KEY, resource_id TEXT NOT NULL, resource_type TEXT NOT NULL,
            last_action_date TEXT NOT NULL, last_action_type TEXT NOT NULL,
            field_name TEXT, previous_value TEXT, replacement_value TEXT,
            updated_by TEXT NOT NULL, channel TEXT NOT NULL DEFAULT 'cli',
            result TEXT NOT NULL DEFAULT 'applied')"""
    )
    db.execute("CREATE INDEX change_log_resource ON change_log (resource_id)")
    engine.append_only(db, "change_log")


def _v1(db: Database) -> None:
    _create_hsds_tables(db)
    _create_own_tables(db)
    geo.create_gazetteer(db)


def _v2(db: Database) -> None:
    """Street data for addresses and intersections (`directory import-streets`)."""
    # One row per imported area (a TIGER county, an OSM extract); re-import replaces it.
    db.execute(
        """CREATE TABLE street_area (
            area TEXT PRIMARY KEY, source TEXT NOT NULL, files TEXT NOT NULL,
            imported TEXT NOT NULL, edges INTEGER NOT NULL, intersections INTEGER NOT NULL,
            address_ranges INTEGER NOT NULL, addresses INTEGER NOT NULL)"""
    )
    # A stretch of street between two nodes; its end points are copied out of `points`
    # (JSON [[lon, lat], ...]) so that intersections are found without parsing geometry.
    db.execute(
        """CREATE TABLE street_edge (
            id INTEGER PRIMARY KEY, area TEXT NOT NULL, name TEXT NOT NULL, road TEXT,
            ramp INTEGER NOT NULL DEFAULT 0,
            from_node INTEGER NOT NULL, to_node INTEGER NOT NULL,
            from_lat REAL NOT NULL, from_lon REAL NOT NULL,
            to_lat REAL NOT NULL, to_lon REAL NOT NULL,
            l_from INTEGER, l_to INTEGER, r_from INTEGER, r_to INTEGER,
            zip_l TEXT, zip_r TEXT, points TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX street_edge_area ON street_edge (area)")
    engine.create_boxes(db, "street_edge_rtree")
    # Every name of every edge by its key ("colfax"); `main` marks the primary name.
    db.execute(
        """CREATE TABLE street_key (
            key TEXT NOT NULL, edge_id INTEGER NOT NULL, direction TEXT, kind TEXT,
            main INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (key, edge_id)) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX street_key_edge ON street_key (edge_id)")
    # Both ends of every edge under each of its keys: two streets meet where they share one.
    db.execute(
        """CREATE TABLE street_node (
            key TEXT NOT NULL, node INTEGER NOT NULL, edge_id INTEGER NOT NULL,
            lat REAL NOT NULL, lon REAL NOT NULL,
            PRIMARY KEY (key, node, edge_id)) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX street_node_edge ON street_node (edge_id)")
    # House numbers at points (OpenStreetMap addr:*).
    db.execute(
        """CREATE TABLE street_address (
            id INTEGER PRIMARY KEY, area TEXT NOT NULL, key TEXT NOT NULL, direction TEXT,
            kind TEXT, number INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
            zip TEXT)"""
    )
    db.execute("CREATE INDEX street_address_key ON street_address (key, number)")
    db.execute("CREATE INDEX street_address_area ON street_address (area)")
    # Service areas given only in words ("Pima County, AZ"), resolved by area_words.
    db.execute(
        """CREATE TABLE search_area_word (
            service_id TEXT NOT NULL, service_area_id TEXT NOT NULL, kind TEXT NOT NULL,
            name TEXT NOT NULL COLLATE NOCASE, state TEXT)"""
    )
    db.execute("CREATE INDEX search_area_word_key ON search_area_word (kind, name, state)")
    # Which ZIP a point is in, roughly: the nearest ZIP centroid (service areas in words).
    engine.create_boxes(db, "zip_rtree")
    db.execute(
        "INSERT INTO zip_rtree SELECT rowid, lat, lat, lon, lon FROM "
        "(SELECT CAST(zip AS INTEGER) AS rowid, lat, lon FROM zip WHERE lat IS NOT NULL) AS z"
    )


def _v3(db: Database) -> None:
    """Who each service takes (`directory.eligibility`), and admins' corrections."""
    db.execute(
        """CREATE TABLE service_eligibility (
            service_id TEXT PRIMARY KEY, facts TEXT NOT NULL, unread TEXT NOT NULL DEFAULT '[]')
            WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE eligibility_override (
            service_id TEXT PRIMARY KEY, facts TEXT NOT NULL, updated TEXT NOT NULL,
            updated_by TEXT NOT NULL) WITHOUT ROWID"""
    )


def _v4(db: Database) -> None:
    """What a search reads of eligibility when nothing is known of the person: whether a
    service is only for a group (youth, seniors, veterans, families), and its restriction
    in words, without parsing every candidate's facts."""
    db.execute("ALTER TABLE service_eligibility ADD COLUMN special INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE service_eligibility ADD COLUMN restriction TEXT")
    # Beside each need too, where a search already reads it: no extra query per search.
    db.execute("ALTER TABLE service_need ADD COLUMN special INTEGER NOT NULL DEFAULT 0")
    from directory.importer import index_eligibility  # the index is rebuilt in this form

    index_eligibility(db)


def _v5(db: Database) -> None:
    """Phones and hours a service has through any HSDS link: its own, its
    service_at_location's, its location's (and, for phones, its organization's when it has
    none): how Ohana-style and many 211 exports link them."""
    db.execute(
        """CREATE TABLE service_phone_link (service_id TEXT NOT NULL, phone_id TEXT NOT NULL,
            rank INTEGER NOT NULL, PRIMARY KEY (service_id, phone_id)) WITHOUT ROWID"""
    )
    # With the columns a search reads, so that hours come from one range of one table.
    db.execute(
        """CREATE TABLE service_schedule_link (service_id TEXT NOT NULL,
            schedule_id TEXT NOT NULL, opens_at TEXT, closes_at TEXT, byday TEXT, freq TEXT,
            valid_from TEXT, valid_to TEXT, timezone REAL, description TEXT,
            PRIMARY KEY (service_id, schedule_id)) WITHOUT ROWID"""
    )
    from directory.importer import index_links

    index_links(db)


def _v6(db: Database) -> None:
    """What the HSDS API and sync read: services whose address is private, when each
    service last changed, and the directories synced from."""
    db.execute("CREATE TABLE confidential_service (service_id TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("CREATE INDEX change_log_date ON change_log (last_action_date)")
    db.execute("CREATE INDEX taxonomy_term_taxonomy ON taxonomy_term (taxonomy_id)")
    # A nested service reads phones, hours and areas by each of their links. Most rows
    # have one link and leave the others empty: partial indexes hold only the rows that
    # have the link, so a bulk import does not pay to index empty columns.
    for table, column in [
        ("phone", "location_id"), ("phone", "organization_id"),
        ("phone", "service_at_location_id"), ("schedule", "location_id"),
        ("schedule", "service_at_location_id"), ("service_area", "service_at_location_id"),
    ]:  # fmt: skip
        db.execute(f"DROP INDEX IF EXISTS idx_{table}_{column}")
        db.execute(
            f"CREATE INDEX {table}_{column} ON {table} ({column}) WHERE {column} IS NOT NULL"
        )
    db.execute(
        """CREATE TABLE sync_source (url TEXT PRIMARY KEY, last_run TEXT NOT NULL,
            asked_from TEXT) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE synced_service (service_id TEXT PRIMARY KEY, url TEXT NOT NULL)
            WITHOUT ROWID"""
    )
    # Programs (HSDS 3.1's `program`, 1.x's programs.csv): kept, so that no service refers
    # to a program the directory does not hold.
    db.execute(
        """CREATE TABLE IF NOT EXISTS program (id TEXT PRIMARY KEY NOT NULL,
            organization_id TEXT, name TEXT, alternate_name TEXT, description TEXT)"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS program_organization_id ON program (organization_id)")
    # Languages (HSDS 3.1's `language`) of a service, a location or a phone.
    db.execute(
        """CREATE TABLE IF NOT EXISTS language (id TEXT PRIMARY KEY NOT NULL, service_id TEXT,
            location_id TEXT, phone_id TEXT, name TEXT, code TEXT, note TEXT)"""
    )
    for column in ("service_id", "location_id", "phone_id"):
        db.execute(
            f"CREATE INDEX IF NOT EXISTS language_{column} ON language ({column}) "
            f"WHERE {column} IS NOT NULL"
        )
    from directory.importer import index_confidential

    index_confidential(db)


MIGRATIONS: list[Callable[[Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6]


def upgrade(db: Database) -> int:
    """Apply every migration this database has not had yet; return the new version.
    (On PostgreSQL the same migrations run, through directory/engine.py.)"""
    current = engine.schema_version(db)
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"This database is at schema version {current}, newer than this Wayfinder "
            f"({len(MIGRATIONS)}). Upgrade Wayfinder before opening it."
        )
    for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
        migration(db)
        engine.set_schema_version(db, number)
    return len(MIGRATIONS)
