"""Street import and resolution at county scale.

Writes a synthetic TIGER/Line county (a grid of named streets, --edges street segments,
address ranges on both sides, FEATNAMES alternate names) with pyshp, imports it into a
fresh directory file in a child process (wall time and that process's peak memory), then
resolves --queries places written the ways officers write them — intersections with
and without suffixes, misspelt names, addresses and blocks — timing each.

    python bench/streets_bench.py [--edges 100000] [--queries 5000] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from stats import percentile  # bench/stats.py (this folder is on sys.path)

import directory
from directory import geo

ROOT = Path(__file__).resolve().parents[1]
WORDS = (  # noqa: SIM905 (a paragraph of names reads better than a list)
    "Alder Ash Aspen Birch Cedar Cherry Chestnut Cypress Elm Fir Hawthorn Hazel Hemlock "
    "Hickory Holly Juniper Larch Laurel Linden Locust Magnolia Maple Mesquite Oak Olive "
    "Palm Pecan Pine Poplar Redwood Sequoia Spruce Sumac Sycamore Tamarack Walnut Willow "
    "Yucca Agate Amber Beryl Coral Garnet Jade Jasper Onyx Opal Pearl Quartz Ruby Topaz"
).split()


def street_names(count: int, kind: str, qualifiers: list[str]) -> list[str]:
    """`count` distinct names: "Alder Ave", "Alder Park Ave", …, then numbered ones."""
    names = []
    for i in range(count):
        word = WORDS[i % len(WORDS)]
        round_ = i // len(WORDS)
        if round_ < len(qualifiers):
            names.append(f"{word}{qualifiers[round_]} {kind}")
        else:
            names.append(f"{i} {kind}")
    return names


def write_county(folder: Path, edges: int) -> tuple[list[Path], list[str], list[str]]:
    import shapefile

    side = int((edges / 2) ** 0.5) + 2  # side × (side-1) × 2 ≥ edges; cut at `edges`
    # No name is both an avenue and a street: the queries have one right answer each.
    ns = street_names(side, "Ave", ["", " Park", " Ridge", " Canyon", " Mesa", " Vista"])
    ew = street_names(side, "St", [" Hills", " Creek", " Grove", " Meadow", " Hollow", " Bend"])
    step = 0.0015  # about 150 m between streets
    lat0, lon0 = 32.0, -111.2
    stem = folder / "tl_2024_04999_edges"
    written = 0
    with shapefile.Writer(str(stem), shapeType=shapefile.POLYLINE) as w:
        for name, size in (("TLID", 10), ("TNIDF", 10), ("TNIDT", 10)):
            w.field(name, "N", size)
        for name, size in (("MTFCC", 5), ("FULLNAME", 60), ("LFROMADD", 8), ("LTOADD", 8),
                           ("RFROMADD", 8), ("RTOADD", 8), ("ZIPL", 5), ("ZIPR", 5)):  # fmt: skip
            w.field(name, "C", size)

        def node(i: int, j: int) -> int:
            return i * side + j + 1

        for i in range(side):  # N-S avenues: numbers grow northwards, 100 a block
            for j in range(side - 1):
                if written >= edges:
                    break
                a, b = (lat0 + j * step, lon0 + i * step), (lat0 + (j + 1) * step, lon0 + i * step)
                w.line([[(a[1], a[0]), (b[1], b[0])]])
                low = j * 100
                w.record(written + 1, node(i, j), node(i, j + 1), "S1400", ns[i], str(low + 1),
                         str(low + 99), str(low), str(low + 98), "85705", "85705")  # fmt: skip
                written += 1
        for j in range(side):  # E-W streets
            for i in range(side - 1):
                if written >= edges:
                    break
                a, b = (lat0 + j * step, lon0 + i * step), (lat0 + j * step, lon0 + (i + 1) * step)
                w.line([[(a[1], a[0]), (b[1], b[0])]])
                low = i * 100
                w.record(written + 1, node(i, j), node(i + 1, j), "S1400", ew[j], str(low + 1),
                         str(low + 99), str(low), str(low + 98), "85705", "85705")  # fmt: skip
                written += 1
    edges_zip = folder / "tl_2024_04999_edges.zip"
    with zipfile.ZipFile(edges_zip, "w") as archive:
        for suffix in (".shp", ".shx", ".dbf"):
            archive.write(f"{stem}{suffix}", f"tl_2024_04999_edges{suffix}")
    return [edges_zip], ns, ew


def queries(ns: list[str], ew: list[str], count: int, rng: random.Random) -> list[str]:
    texts = []
    for n in range(count):
        # The last streets of the grid may be cut short by --edges: stay clear of them.
        i, j = rng.randrange(len(ns) - 5), rng.randrange(len(ew) - 5)
        avenue, street = ns[i], ew[j]
        kind = n % 5
        if kind == 0:
            texts.append(f"{avenue} and {street}")
        elif kind == 1:
            texts.append(f"{avenue.rsplit(' ', 1)[0].lower()} & {street.rsplit(' ', 1)[0].lower()}")
        elif kind == 2:  # a typo: one letter dropped from a long enough name
            word = avenue.rsplit(" ", 1)[0]
            typo = word[:2] + word[3:] if len(word) >= 6 else word
            texts.append(f"{typo} / {street}")
        elif kind == 3:
            texts.append(f"{j * 100 + 51} {avenue}")
        else:
            texts.append(f"{j * 100} block of {avenue}")
    return texts


def import_in_child(db_path: Path, files: list[Path]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of `wayfinder directory import-streets` alone."""
    code = (
        "import resource, sys, time\n"
        "import directory\n"
        "from directory.streets import import_streets\n"
        f"db = directory.open_db({str(db_path)!r})\n"
        "started = time.perf_counter()\n"
        f"import_streets(db, {[str(f) for f in files]!r})\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(time.perf_counter() - started, peak)\n"
    )
    # The directory file (and its gazetteer) is made first, outside the measurement.
    directory.open_db(db_path).close()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rss_kb = out.stdout.split()
    return float(seconds), int(rss_kb) / 1024


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--edges", type=int, default=100_000)
    args.add_argument("--queries", type=int, default=5000)
    args.add_argument("--json", action="store_true")
    options = args.parse_args(argv)
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files, ns, ew = write_county(folder, options.edges)
        db_path = folder / "streets.db"
        import_s, peak_mb = import_in_child(db_path, files)
        db = directory.open_db(db_path)
        edges = db.execute("SELECT count(*) FROM street_edge").fetchone()[0]
        texts = queries(ns, ew, options.queries, rng)
        for text in texts[:50]:  # warm the caches (street names, pages)
            with contextlib.suppress(directory.UnknownPlace):
                geo.resolve(db, text, "AZ")
        times, found = [], 0
        for text in texts:
            started = time.perf_counter()
            try:
                geo.resolve(db, text, "AZ")
                found += 1
            except directory.UnknownPlace:
                pass
            times.append((time.perf_counter() - started) * 1000)
    result = {
        "edges": edges,
        "import_s": round(import_s, 1),
        "import_peak_mb": round(peak_mb),
        "queries": len(texts),
        "resolved": found,
        "p50_ms": round(percentile(times, 0.50), 3),
        "p99_ms": round(percentile(times, 0.99), 3),
        "max_ms": round(max(times), 3),
        "cpus": len(__import__("os").sched_getaffinity(0)),
        "python": platform.python_version(),
        "bench_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if options.json:
        print(json.dumps(result))
        return 0
    print("| edges | import s | import peak MB | queries | resolved | p50 ms | p99 ms | max ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    cells = [f"{edges:,}", result["import_s"], result["import_peak_mb"], f"{len(texts):,}",
             f"{found:,}", result["p50_ms"], result["p99_ms"], result["max_ms"]]  # fmt: skip
    print("| " + " | ".join(str(c) for c in cells) + " |")
    print(f"\nMachine: {result['cpus']} CPUs, Python {result['python']}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
