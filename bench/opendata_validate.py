"""Benchmark: our open-data validator vs frictionless-py on a generated 公共施設一覧 file.

    .venv/bin/python bench/opendata_validate.py            # 1,000,000 rows (+ 5,000-row agreement check)
    .venv/bin/python bench/opendata_validate.py --quick    # 20,000 rows
    .venv/bin/python bench/opendata_validate.py --search-only --datasets 10000   # only the catalog part

Both validators read the same CSV and the same Table Schema (src/chiiki/opendata/standard/public_facility.json).
Errors are injected in known rows; on a smaller file the two reports are compared cell by cell. Our validator
also checks the 全国地方公共団体コード check digit, which Table Schema cannot express: those rows are expected
to appear in our report only, and are listed separately.

Second half: CKAN package_search p50/p99 over a generated catalog of 10,000 datasets (1,000 with --quick),
through the Django test client against a fresh database, compared with status_show (a trivial action through
the same stack) measured in the same run. It runs on a temporary SQLite file and then, when a PostgreSQL
server answers (CHIIKI_DATABASE_URL's server or 127.0.0.1:5432), on a database chiiki_bench_opendata that it
creates and drops itself; each backend runs in its own interpreter. --database-url runs one backend only.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from importlib import resources
from pathlib import Path

import polars as pl

from chiiki.opendata.engine import load_schemas, validate_file

INJECT_EVERY = 997  # one row in ~1000 carries one error, cycling through the kinds below
KINDS = ["latitude_range", "time", "check_digit", "kana", "url", "required_name"]


def generate(path: Path, rows: int) -> dict[tuple[int, str], str]:
    """Write a clean 公共施設一覧 CSV with injected errors; return {(row, column): kind} of the injections."""
    schema = load_schemas()["public_facility"]
    i = pl.int_range(0, rows, eager=True)
    n = i.cast(pl.String)
    base = pl.DataFrame(
        {
            "全国地方公共団体コード": pl.Series(["352012"] * rows),
            "ID": "F" + n.str.zfill(8),
            "地方公共団体名": pl.Series(["山口県下関市"] * rows),
            "名称": "施設" + n,
            "名称_カナ": "シセツ" + n,
            "所在地_連結表記": "山口県下関市南部町" + (i % 50 + 1).cast(pl.String) + "-1",
            "緯度": (33.9 + (i % 1000) / 10000).round(6).cast(pl.String),
            "経度": (130.9 + (i % 777) / 10000).round(6).cast(pl.String),
            "電話番号": pl.Series(["083-231-1111"] * rows),
            "郵便番号": pl.Series(["750-8521"] * rows),
            "利用可能曜日": pl.Series(["月火水木金"] * rows),
            "開始時間": pl.Series(["08:30"] * rows),
            "終了時間": pl.Series(["17:15"] * rows),
            "URL": "https://www.city.example.lg.jp/f/" + n,
        }
    )
    injected: dict[tuple[int, str], str] = {}
    bad = {
        "latitude_range": ("緯度", "95.5"),
        "time": ("終了時間", "25:00"),
        "check_digit": ("全国地方公共団体コード", "352013"),
        "kana": ("名称_カナ", "施設シセツ"),
        "url": ("URL", "www.example.jp"),
        "required_name": ("名称", ""),
    }
    updates: dict[str, list[tuple[int, str]]] = {}
    for k, row in enumerate(range(5, rows, INJECT_EVERY)):
        kind = KINDS[k % len(KINDS)]
        column, value = bad[kind]
        updates.setdefault(column, []).append((row, value))
        injected[(row + 2, column)] = kind  # +2: header is file row 1, first data row is file row 2
    cols = []
    for column, items in updates.items():
        idx = pl.Series([r for r, _ in items], dtype=pl.UInt32)
        vals = pl.Series([v for _, v in items])
        series = base[column].scatter(idx, vals)
        cols.append(series.alias(column))
    base = base.with_columns(cols)
    full = base.select(
        [pl.col(c) if c in base.columns else pl.lit(None, pl.String).alias(c) for c in schema.field_names]
    )
    full.write_csv(path)
    return injected


def ours(path: Path) -> tuple[float, set[tuple[int, str]]]:
    """Run our validator; return seconds and the set of (row, column) errors."""
    start = time.perf_counter()
    report = validate_file(path, "public_facility").report
    elapsed = time.perf_counter() - start
    return elapsed, {
        (p.row, p.column) for p in report.problems if p.severity == "error" and p.row and p.column
    }


def theirs(path: Path) -> tuple[float, set[tuple[int, str]]]:
    """Run frictionless-py with the same schema; return seconds and the set of (row, column) errors."""
    from frictionless import Checklist, Resource, Schema

    raw = json.loads(
        resources.files("chiiki.opendata.standard").joinpath("public_facility.json").read_text("utf-8")
    )
    raw.pop("$schema", None)
    schema = Schema.from_descriptor(raw)
    start = time.perf_counter()
    resource = Resource(path=path.name, basepath=str(path.parent), schema=schema, encoding="utf-8")
    report = resource.validate(checklist=Checklist(), limit_errors=10_000_000)
    elapsed = time.perf_counter() - start
    found: set[tuple[int, str]] = set()
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            if row and field:
                found.add((row, field))
    return elapsed, found


SEARCHES: list[dict[str, object]] = [
    {"q": "AED"},
    {"q": "避難"},
    {"q": "公共施設"},
    {"q": "山口県 AED"},
    {"q": "下関市"},
    {"fq": "res_format:CSV"},
    {"fq": "kind:aed", "sort": "metadata_modified desc"},
    {"q": "駅"},
    {"rows": 100, "start": 500, "sort": "id asc"},
    {},
]


def build_catalog(n: int) -> None:
    """Bulk-load n published datasets (31 kinds x real municipality names), indexed like the actions do."""
    from chiiki.jp import load_municipalities
    from chiiki.opendata import search
    from chiiki.opendata.models import Dataset, Group, Organization, Resource, SearchTerm, Tag

    schemas = list(load_schemas().values())
    towns = [m for m in load_municipalities() if m.kind != "prefecture"]
    orgs: dict[str, Organization] = {}
    datasets: list[Dataset] = []
    tag_names: dict[int, list[str]] = {}
    for i in range(n):
        town = towns[(i * 7) % len(towns)]
        schema = schemas[i % len(schemas)]
        org = orgs.get(town.code)
        if org is None:
            org = orgs[town.code] = Organization(name=f"lg-{town.code}", title=town.full_name)
        title = f"{town.full_name} {schema.title}"
        notes = (
            f"{town.full_name}が公開する{schema.title}（自治体標準オープンデータセット {schema.number}）。"
        )
        tags = [schema.title.removesuffix("一覧"), town.prefecture]
        tag_names[i] = tags
        text = search.normalize(
            " ".join([f"d{i:05d}-{schema.id}", title, notes, town.full_name, schema.title, *tags])
        )
        datasets.append(
            Dataset(
                name=f"d{i:05d}-{schema.id.replace('_', '-')}",
                title=title,
                notes=notes,
                organization=org,
                kind=schema.id,
                private=False,
                search_text=text,
            )
        )
    Organization.objects.bulk_create(orgs.values(), batch_size=1000)
    Dataset.objects.bulk_create(datasets, batch_size=1000)
    groups = {s.id: Group(name=s.id.replace("_", "-"), title=s.title) for s in schemas}
    Group.objects.bulk_create(groups.values())
    tags_by_name = {name: Tag(name=name) for names in tag_names.values() for name in names}
    Tag.objects.bulk_create(tags_by_name.values(), batch_size=1000)
    tag_links, group_links, resources, terms = [], [], [], []
    for i, dataset in enumerate(datasets):
        tag_links += [
            Dataset.tags.through(dataset_id=dataset.pk, tag_id=tags_by_name[t].pk) for t in tag_names[i]
        ]
        group_links.append(Dataset.groups.through(dataset_id=dataset.pk, group_id=groups[dataset.kind].pk))
        resources.append(
            Resource(dataset=dataset, name="CSV", format="CSV", url=f"https://example.jp/{i}.csv")
        )
        grams = search.bigrams(dataset.search_text) | {c for c in dataset.search_text if not c.isspace()}
        terms += [SearchTerm(dataset_id=dataset.pk, term=t) for t in grams]
    Dataset.tags.through.objects.bulk_create(tag_links, batch_size=5000)
    Dataset.groups.through.objects.bulk_create(group_links, batch_size=5000)
    Resource.objects.bulk_create(resources, batch_size=2000)
    SearchTerm.objects.bulk_create(terms, batch_size=5000)
    # Bulk inserts leave the planner without statistics (PostgreSQL estimated 8 datasets and chose nested
    # loops); a live catalog has them from autovacuum, so gather them as it would before timing.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"catalog: {n:,} datasets, {len(orgs):,} organizations, {len(terms):,} index rows")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def search_bench(n_datasets: int, rounds: int, database_url: str) -> None:
    """Time package_search (with facets) against status_show through the Django test client."""
    import os

    os.environ["CHIIKI_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiiki.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    build_catalog(n_datasets)
    print(
        f"  database ready in {time.perf_counter() - start:.1f} s ({os.environ['CHIIKI_DATABASE_URL'].split(':')[0]})"
    )
    client = Client()
    facets = json.dumps(["organization", "kind", "tags", "res_format"])

    def timed(path: str, params: dict[str, object]) -> float:
        t0 = time.perf_counter()
        response = client.get(path, params)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 200, response.content[:300]
        return elapsed

    for params in SEARCHES:  # warm-up, and show what each query finds
        response = client.get("/api/3/action/package_search", {**params, "facet.field": facets})
        print(f"  {json.dumps(params, ensure_ascii=False):60} count={response.json()['result']['count']}")
    search_times: list[float] = []
    trivial_times: list[float] = []
    by_query: dict[int, list[float]] = {}
    for _ in range(rounds):
        for k, params in enumerate(SEARCHES):
            elapsed = timed("/api/3/action/package_search", {**params, "facet.field": facets})
            search_times.append(elapsed)
            by_query.setdefault(k, []).append(elapsed)
            trivial_times.append(timed("/api/3/action/status_show", {}))
    print("  median per query:")
    for k, params in enumerate(SEARCHES):
        print(f"    {json.dumps(params, ensure_ascii=False):60} {percentile(by_query[k], 50) * 1000:7.1f} ms")
    s50, s99 = percentile(search_times, 50) * 1000, percentile(search_times, 99) * 1000
    t50, t99 = percentile(trivial_times, 50) * 1000, percentile(trivial_times, 99) * 1000
    print(
        f"package_search over {n_datasets:,} datasets ({len(search_times)} requests, 4 facets, rows=10 unless given):"
    )
    print(f"  p50 {s50:7.1f} ms   p99 {s99:7.1f} ms")
    print(f"status_show (trivial action, same stack): p50 {t50:6.2f} ms   p99 {t99:6.2f} ms")
    print(f"ratio package_search / status_show: p50 {s50 / t50:.1f}x, p99 {s99 / t99:.1f}x")


BENCH_DB = "chiiki_bench_opendata"


def postgres_url() -> str | None:
    """A URL for the dedicated bench database when a PostgreSQL server answers, else None.

    The server comes from CHIIKI_DATABASE_URL when that names PostgreSQL, else 127.0.0.1:5432 as postgres;
    the database name is always BENCH_DB so the bench never touches a test or production database.
    """
    import os
    from urllib.parse import urlsplit, urlunsplit

    configured = os.environ.get("CHIIKI_DATABASE_URL", "")
    base = configured if configured.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    try:
        import psycopg

        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=3):
            pass
    except Exception:  # any failure means "no PostgreSQL here", a normal outcome for the bench
        return None
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def _admin(url: str, statement: str) -> None:
    """Run CREATE/DROP DATABASE on the server's maintenance database (autocommit: not in a transaction)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def run_search_child(database_url: str, n_datasets: int, rounds: int) -> str:
    """Run the search half in a fresh interpreter (Django can be set up once per process); return its output."""
    import subprocess
    import sys

    cmd = [sys.executable, __file__, "--search-only", "--database-url", database_url]
    cmd += ["--datasets", str(n_datasets), "--rounds", str(rounds)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        print(done.stderr[-3000:])
    return done.stdout


def search_on_both(n_datasets: int, rounds: int) -> None:
    """package_search on a temporary SQLite file, then on PostgreSQL when one is reachable; print both."""
    summary: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        print("== package_search on SQLite")
        out = run_search_child(f"sqlite:///{tmp}/bench.sqlite3", n_datasets, rounds)
        summary += [
            f"SQLite:     {line.strip()}" for line in out.splitlines() if line.strip().startswith("p50")
        ]
    url = postgres_url()
    if url is None:
        print("== PostgreSQL: no server reachable (CHIIKI_DATABASE_URL or 127.0.0.1:5432); skipped")
    else:
        print(f"== package_search on PostgreSQL (database {BENCH_DB}, created and dropped here)")
        _admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        _admin(url, f"CREATE DATABASE {BENCH_DB}")
        try:
            out = run_search_child(url, n_datasets, rounds)
            summary += [
                f"PostgreSQL: {line.strip()}" for line in out.splitlines() if line.strip().startswith("p50")
            ]
        finally:
            _admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    print(f"package_search over {n_datasets:,} datasets:")
    for line in summary:
        print(f"  {line}")


def main() -> None:
    """Generate, run both, print figures and the agreement check; then the catalog search benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (20,000 rows, 1,000 datasets)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--datasets", type=int, default=None, help="catalog size for package_search")
    parser.add_argument("--rounds", type=int, default=None, help="passes over the 10 search queries")
    parser.add_argument("--search-only", action="store_true", help="skip the validator half")
    parser.add_argument(
        "--database-url",
        default=None,
        help="run package_search on this database only (default: temporary SQLite, then PostgreSQL if reachable)",
    )
    args = parser.parse_args()
    if not args.search_only:
        validator_bench(args)
    n_datasets = args.datasets or (1_000 if args.quick else 10_000)
    rounds = args.rounds or (10 if args.quick else 30)
    if args.database_url:
        search_bench(n_datasets, rounds, args.database_url)
    else:
        search_on_both(n_datasets, rounds)


def validator_bench(args: argparse.Namespace) -> None:
    """Our validator vs frictionless-py on the same generated file."""
    rows = args.rows or (20_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.csv"
        expected = generate(small, 5_000)
        _, ours_small = ours(small)
        _, theirs_small = theirs(small)
        check_digit_rows = {k for k, kind in expected.items() if kind == "check_digit"}
        print(f"agreement on 5,000 rows: injected {len(expected)} errors")
        print(f"  ours found {len(ours_small)}, frictionless found {len(theirs_small)}")
        print(
            f"  same cells: {len(ours_small & theirs_small)}; only ours: {len(ours_small - theirs_small)} "
            f"(check-digit rows, not expressible in Table Schema: {len(check_digit_rows)}); "
            f"only frictionless: {len(theirs_small - ours_small)}"
        )
        agree = ours_small - check_digit_rows == theirs_small and ours_small == set(expected)
        print(
            f"  reports agree (apart from check digits) and match the injections: {'yes' if agree else 'NO'}"
        )

        big = Path(tmp) / "big.csv"
        start = time.perf_counter()
        injected = generate(big, rows)
        print(
            f"generated {rows:,} rows ({big.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s, "
            f"{len(injected)} injected errors"
        )
        t_ours, found_ours = ours(big)
        print(f"ours:         {t_ours:8.2f} s  {rows / t_ours:12,.0f} rows/s  errors {len(found_ours):,}")
        t_theirs, found_theirs = theirs(big)
        print(
            f"frictionless: {t_theirs:8.2f} s  {rows / t_theirs:12,.0f} rows/s  errors {len(found_theirs):,}"
        )
        print(f"ratio: ours is {t_theirs / t_ours:.1f}x faster (target >= 10x)")


if __name__ == "__main__":
    main()
