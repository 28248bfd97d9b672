"""API benchmark (issue 3): our server vs pygeoapi and datasette on the same 100k generated RVR places.

One server worker each, wrk on loopback with 32 connections. Peers run from their own virtualenv
(benchmarks/.cache/peers, created on first use from PyPI) so their pins never touch ours; pygeoapi uses its
SQLite provider (SpatiaLite; Debian's libsqlite3-mod-spatialite), datasette its FTS5 search.
Targets: ≥ 3× each peer's req/s, our p99 ≤ 20 ms at 32 connections.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
PEERS = CACHE / "peers"
SPATIALITE = "mod_spatialite"
BBOX = (7.0, 51.43, 7.08, 51.47)  # a city-centre sized box
NEAR = (51.4513, 7.0138)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    import httpx

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def wrk(url: str, seconds: int, connections: int, headers: tuple[str, ...] = ()) -> dict[str, float]:
    extra = [arg for header in headers for arg in ("-H", header)]
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
                              *extra, url], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    except subprocess.TimeoutExpired:
        return {"rps": 0.0, "p50": float("nan"), "p99": float("nan"), "non2xx": float("nan")}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "non2xx": float(errors.group(1)) if errors else 0.0}


def ensure_peers() -> Path:
    python = PEERS / "bin" / "python"
    if not python.exists():
        # Debian's Python can load SQLite extensions (SpatiaLite for pygeoapi); many custom builds cannot.
        base = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        subprocess.run([base, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pygeoapi", "datasette", "uvicorn", "starlette"],
                       check=True)
    return python


def our_db(places: int) -> Path:
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.generate import generate

    CACHE.mkdir(exist_ok=True)
    csv_path = CACHE / f"places_{places}.csv"
    if not csv_path.exists():
        partial = csv_path.with_suffix(".partial")
        generate(partial, places)
        partial.rename(csv_path)
    db = CACHE / f"api_{places}.db"
    if not db.exists():
        from datenhub import hub
        from datenhub.store import open_store

        tmp = db.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        store = open_store(f"sqlite:///{tmp}")
        hub.import_file(store, csv_path, "bench")
        store.close()
        tmp.rename(db)
    return db


def peer_db(ours: Path, folder: Path) -> None:
    """The same places in a SpatiaLite table with an FTS5 index (pygeoapi reads it; datasette searches it).

    Runs under the peers' Python (python bench_api.py --build-peer-db OURS FOLDER), which loads SpatiaLite.
    """
    path = folder / "peers.sqlite"
    src = sqlite3.connect(ours)
    rows = [(json.loads(d)) for (d,) in src.execute("SELECT data FROM entities WHERE kind = 'place'")]
    conn = sqlite3.connect(path)
    conn.enable_load_extension(True)
    conn.load_extension(SPATIALITE)
    conn.execute("SELECT InitSpatialMetadata(1)")
    conn.execute("CREATE TABLE places (id TEXT PRIMARY KEY, name TEXT, description TEXT, category TEXT, "
                 "licence TEXT)")
    conn.execute("SELECT AddGeometryColumn('places', 'geom', 4326, 'POINT', 'XY')")
    conn.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?, MakePoint(?, ?, 4326))", [
        (r["id"], r["name"]["de"], (r.get("description") or {}).get("de", ""), (r.get("categories") or [""])[0],
         r["licence"], r["geo"]["lon"], r["geo"]["lat"]) for r in rows])
    conn.execute("SELECT CreateSpatialIndex('places', 'geom')")
    conn.execute("CREATE VIRTUAL TABLE places_fts USING fts5 (name, description, content='places', "
                 "content_rowid='rowid')")
    conn.execute("INSERT INTO places_fts (places_fts) VALUES ('rebuild')")
    conn.commit()
    conn.close()


def pygeoapi_config(folder: Path, data: Path, port: int) -> Path:
    config = folder / "pygeoapi.yml"
    config.write_text(f"""
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits: {{default_items: 20, max_items: 1000}}
  map: {{url: "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png", attribution: OSM}}
logging: {{level: ERROR}}
metadata:
  identification: {{title: bench, description: bench, keywords: [bench], keywords_type: theme, terms_of_service: x,
                   url: http://example.org}}
  license: {{name: CC0, url: http://example.org}}
  provider: {{name: bench, url: http://example.org}}
  contact: {{name: bench, position: x, address: x, city: x, stateorprovince: x, postalcode: x, country: x,
            phone: x, fax: x, email: x, url: x, hours: x, instructions: x, role: pointOfContact}}
resources:
  places:
    type: collection
    title: places
    description: places
    keywords: [places]
    extents:
      spatial: {{bbox: [6.2, 51.2, 7.9, 51.9], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}}
    providers:
      - type: feature
        name: SQLiteGPKG
        data: {data}
        id_field: id
        table: places
""")
    return config


def start(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env={**os.environ, **(env or {})}, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its children (Linux /proc): granian serves from a worker
    process it forks, uvicorn with one worker from its own."""
    total = 0.0
    for task in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            if task == pid:
                return float("nan")
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def our_scenarios(any_id: str) -> dict[str, str]:
    bbox = ",".join(map(str, BBOX))
    return {
        "get-by-id": f"/api/v1/places/{any_id}",
        "bbox (OGC items)": f"/ogc/collections/places/items?bbox={bbox}&limit=20",
        "near 1 km": f"/api/v1/places?near={NEAR[0]},{NEAR[1]}&radius=1000",
        "text search": "/api/v1/places?q=zeche",
        "JSON-LD page": "/api/v1/places?q=zeche&f=jsonld",
        "GeoJSON page": f"/api/v1/places?bbox={bbox}&f=geojson",
        "category map view": f"/api/v1/places?bbox={bbox}&category=Museum&f=geojson",  # an app's map, a chip set
        "text search, gzip": "/api/v1/places?q=zeche",
    }


def server_suffix(server: str) -> str:
    """Scenario names carry the server when it is not the default one."""
    return "" if server == "uvicorn" else f" [{server}]"


def measure(url: str, seconds: int, connections: int, runs: int, pid: int | None,
            headers: tuple[str, ...] = ()) -> dict[str, float]:
    """The median of each figure over `runs` wrk runs (req/s, p50, p99, …), with the server's CPU use (1.0 = one
    core busy). Each figure's own median: one run's stall on this shared machine moves that run's p99 by tens of
    milliseconds and its req/s hardly at all, so the run with the median req/s may well carry the outlying p99."""
    measured = []
    for _ in range(runs):
        before, began = cpu_seconds(pid) if pid else float("nan"), time.perf_counter()
        result = wrk(url, seconds, connections, headers)
        result["cpu"] = (cpu_seconds(pid) - before) / (time.perf_counter() - began) if pid else float("nan")
        measured.append(result)
    return {key: statistics.median(run[key] for run in measured) for key in measured[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3, help="median over this many wrk runs per scenario")
    parser.add_argument("--only", choices=("all", "ours", "peers"), default="all",
                        help="'ours' skips the peers (quicker A/B runs of our server)")
    parser.add_argument("--match", default="", help="only scenarios whose name contains this text")
    parser.add_argument("--cache", choices=("on", "off"), default="on",
                        help="our response cache; 'off' measures every request computed afresh")
    parser.add_argument("--server", choices=("uvicorn", "granian", "both"), default="both",
                        help="HTTP server(s) our hub runs on (datenhub serve --server)")
    parser.add_argument("--build-peer-db", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_peer_db:
        peer_db(Path(args.build_peer_db[0]), Path(args.build_peer_db[1]))
        return
    if shutil.which("wrk") is None:
        print("bench_api: skipped — needs wrk (apt-get install wrk)")
        return
    with_peers = args.only != "ours"
    servers = ("uvicorn", "granian") if args.server == "both" else (args.server,)
    peers_python = ensure_peers() if with_peers else None
    db = our_db(args.places)
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        peer_data = folder / "peers.sqlite"
        pgapi, dsette = free_port(), free_port()
        any_id = sqlite3.connect(db).execute("SELECT id FROM entities LIMIT 1 OFFSET 5000").fetchone()[0]
        peer_id = any_id
        bbox = ",".join(map(str, BBOX))
        scenarios: dict[str, tuple[str, int | None]] = {}
        gzipped = ("text search, gzip",)  # as browsers ask: Accept-Encoding: gzip
        try:
            if args.only != "peers":
                env = {"DATENHUB_RATE_LIMIT_ANON": "100000000"}
                if args.cache == "off":
                    env["DATENHUB_RESPONSE_CACHE"] = "0"
                for name in servers:
                    port = free_port()
                    server = start([sys.executable, "-m", "datenhub.cli", "serve", "--db", f"sqlite:///{db}",
                                    "--port", str(port), "--server", name], env)
                    procs.append(server)
                    base = f"http://127.0.0.1:{port}"
                    wait_for(base + "/health")
                    scenarios.update({scenario + server_suffix(name): (base + path, server.pid)
                                      for scenario, path in our_scenarios(any_id).items()})
            if with_peers:
                assert peers_python is not None
                built = subprocess.run([str(peers_python), __file__, "--build-peer-db", str(db), str(folder)],
                                       capture_output=True, text=True)
                if built.returncode != 0:
                    raise SystemExit("bench_api: the peers' database could not be built (pygeoapi reads it through "
                                     "SpatiaLite: apt-get install libsqlite3-mod-spatialite; or run --only ours)\n"
                                     + built.stderr.strip().splitlines()[-1])
                config = pygeoapi_config(folder, peer_data, pgapi)
                openapi = folder / "openapi.yml"
                with openapi.open("w") as handle:
                    subprocess.run([str(peers_python.parent / "pygeoapi"), "openapi", "generate", str(config)],
                                   stdout=handle, check=True, env={**os.environ, "PYGEOAPI_CONFIG": str(config)})
                pygeo = start([str(peers_python), "-m", "uvicorn", "pygeoapi.starlette_app:APP", "--port",
                               str(pgapi), "--log-level", "error"],
                              {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)})
                procs.append(pygeo)
                dset = start([str(peers_python), "-m", "datasette", "serve", str(peer_data), "-p", str(dsette),
                              "--load-extension=spatialite", "--setting", "sql_time_limit_ms", "5000"])
                procs.append(dset)
                wait_for(f"http://127.0.0.1:{pgapi}/collections/places")
                wait_for(f"http://127.0.0.1:{dsette}/peers.json")
                scenarios.update({
                    "pygeoapi bbox": (f"http://127.0.0.1:{pgapi}/collections/places/items?bbox={bbox}&limit=20&f=json",
                                      pygeo.pid),
                    "pygeoapi by id": (f"http://127.0.0.1:{pgapi}/collections/places/items/{peer_id}?f=json",
                                       pygeo.pid),
                    "datasette FTS": (f"http://127.0.0.1:{dsette}/peers/places.json?_search=zeche&_size=20",
                                      dset.pid),
                })
            results = {name: measure(url, args.seconds, args.connections, args.runs, pid,
                                     ("Accept-Encoding: gzip",) if name.startswith(gzipped) else ())
                       for name, (url, pid) in scenarios.items() if args.match.lower() in name.lower()}
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=10)
    print(f"API benchmark: {args.places:,} places, 1 worker each, wrk {args.connections} connections, "
          f"{args.seconds}s × median of {args.runs}, our response cache {args.cache}")
    print(f"  {'scenario':32s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'non-2xx':>8s} {'server CPU':>10s} "
          f"{'CPU µs/req':>10s}")
    for name, r in results.items():
        per_request = r["cpu"] / r["rps"] * 1e6 if r["rps"] else float("nan")
        print(f"  {name:32s} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['non2xx']:8.0f} "
              f"{r['cpu']:9.0%} {per_request:10.0f}")

    def ratio(ours: str, peer: str) -> str:
        if ours not in results or peer not in results:
            return "not measured"
        theirs = results[peer]["rps"]
        return f"{results[ours]['rps'] / theirs:.1f}×" if theirs else "peer answered nothing within wrk's timeout"

    for label in servers if args.only != "peers" else ():
        suffix = server_suffix(label)
        print(f"  {label}: ratio OGC bbox / pygeoapi bbox {ratio('bbox (OGC items)' + suffix, 'pygeoapi bbox')} "
              f"(target ≥ 3×), get-by-id / pygeoapi by id {ratio('get-by-id' + suffix, 'pygeoapi by id')}, "
              f"text search / datasette FTS {ratio('text search' + suffix, 'datasette FTS')} (target ≥ 3×)")
    print("  server CPU: share of one core the server's processes used during its run (100% = saturated worker;"
          " wrk and anything else running share the same cores); CPU µs/req: server CPU time per request,"
          " the figure least disturbed by a busy machine")


if __name__ == "__main__":
    main()
