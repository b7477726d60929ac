#!/usr/bin/env python3
"""Spoor against Kùzu, DuckDB and igraph on the same transfers CSV, same machine, one run.

    peers.py run --csv transfers-1000000.csv --spoor .build/release/spoor --work /tmp/spoor-peers/1000000 \
        --out Benchmarks/peers/results/1000000.json
    peers.py report --results Benchmarks/peers/results --out Benchmarks/RESULTS.md --plots Benchmarks/peers/plots

`run` loads the file into every engine (Spoor through its release CLI; the peers from a layout written once by
`prepare`: values up to 2^127 - 1 as INT128 / HUGEINT, larger ones only as text), times the same queries (median and
p95 of repeated runs after a warm-up; Spoor in process through `spoor bench-query`), checks every engine's answers
(counts, exact sums) against Spoor's and against figures worked out from the CSV by this script, and prints LOUD
mismatches. `report` turns the JSON files into RESULTS.md and PNG plots.
"""

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
import warnings

INT128_MAX = 2**127 - 1
# Kùzu 0.11 calls a separate prepare + execute deprecated; the statements are still prepared once, as Spoor's are.
warnings.filterwarnings("ignore", category=DeprecationWarning)
SEED = 2026
# Kùzu's buffer pool (its default is 80% of RAM); 4 GiB loads 5M transfers, not 10M.
KUZU_BUFFER_POOL_GIB = int(os.environ.get("PEERS_KUZU_BUFFER_POOL_GIB", "4"))
RANDOM_ANCHORS = 20
PATH_PAIRS = 5
PATH_DISTANCE = 4
MAX_PATH = 8


def loud(message):
    """A mismatch or a value that a peer cannot hold: impossible to miss in the log."""
    bar = "!" * 100
    print(f"\n{bar}\n!!! {message}\n{bar}\n", file=sys.stderr, flush=True)


def note(message):
    print(message, file=sys.stderr, flush=True)


def dir_bytes(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total


def percentile(sorted_values, fraction):
    """Nearest-rank percentile (the value at rank ceil(fraction * n)), as spoor bench-query computes it."""
    rank = -(-int(fraction * len(sorted_values) * 1_000_000) // 1_000_000)
    rank = min(max(rank, 1), len(sorted_values))
    return sorted_values[rank - 1]


# ---------------------------------------------------------------------------------------------------------------
# prepare: the peers' layout and the figures the answers are checked against


def prepare(csv_path, work):
    """Streams the transfers CSV once and writes, in `work`:

    - edges.csv: src,dst,tx,block,time,value,value_text,asset,log_index (value empty when above 2^127 - 1, the exact
      decimal then in value_text; Kùzu and DuckDB load this);
    - nodes.csv: every address once (Kùzu's node table);
    - edges.el: numeric ids "src dst" a line (igraph's Read_Edgelist), id = line of nodes.csv minus 2;
    - truth.json: totals and degrees worked out here, independently of every engine.
    """
    os.makedirs(work, exist_ok=True)
    truth_path = os.path.join(work, "truth.json")
    if os.path.exists(truth_path) and os.path.getmtime(truth_path) > os.path.getmtime(csv_path):
        with open(truth_path) as handle:
            return json.load(handle)
    started = time.monotonic()
    ids = {}
    names = []
    out_degree = []
    in_degree = []
    edges = 0
    small_sum = 0
    huge = 0
    huge_sum = 0

    def ident(address):
        number = ids.get(address)
        if number is None:
            number = len(names)
            ids[address] = number
            names.append(address)
            out_degree.append(0)
            in_degree.append(0)
        return number

    with open(csv_path) as source, open(os.path.join(work, "edges.csv"), "w") as edges_out, open(
        os.path.join(work, "edges.el"), "w"
    ) as el_out:
        header = source.readline().rstrip("\n").split(",")
        expected = ["tx_hash", "block_number", "block_timestamp", "from_address", "to_address", "value", "asset",
                    "log_index"]
        if header != expected:
            raise SystemExit(f"{csv_path}: line 1: expected the header {','.join(expected)}, found {','.join(header)}")
        edges_out.write("src,dst,tx,block,time,value,value_text,asset,log_index\n")
        for line_number, line in enumerate(source, start=2):
            fields = line.rstrip("\n").split(",")
            if len(fields) != 8:
                raise SystemExit(f"{csv_path}: line {line_number}: expected 8 fields, found {len(fields)}")
            tx, block, stamp, src, dst, value, asset, log_index = fields
            amount = int(value)
            if amount > INT128_MAX:
                huge += 1
                huge_sum += amount
                small, text = "", value
            else:
                small_sum += amount
                small, text = value, ""
            s = ident(src)
            d = ident(dst)
            out_degree[s] += 1
            in_degree[d] += 1
            edges += 1
            edges_out.write(f"{src},{dst},{tx},{block},{stamp},{small},{text},{asset},{log_index}\n")
            el_out.write(f"{s} {d}\n")
    with open(os.path.join(work, "nodes.csv"), "w") as nodes_out:
        nodes_out.write("address\n")
        for name in names:
            nodes_out.write(name + "\n")

    # Anchors: the largest hub (most transfers in + out), a median address and seeded random ones, all senders.
    senders = [i for i in range(len(names)) if out_degree[i] > 0]
    hub = max(range(len(names)), key=lambda i: (in_degree[i] + out_degree[i], names[i]))
    by_degree = sorted(senders, key=lambda i: (in_degree[i] + out_degree[i], names[i]))
    median = by_degree[len(by_degree) // 2]
    randoms = random.Random(SEED).sample(sorted(names[i] for i in senders), RANDOM_ANCHORS)
    truth = {
        "csv": os.path.abspath(csv_path),
        "edges": edges,
        "addresses": len(names),
        "sum_small": str(small_sum),
        "huge_values": huge,
        "sum_huge": str(huge_sum),
        "hub": names[hub],
        "hub_out": out_degree[hub],
        "hub_degree": out_degree[hub] + in_degree[hub],
        "median": names[median],
        "median_degree": out_degree[median] + in_degree[median],
        "random": randoms,
        "prepare_seconds": time.monotonic() - started,
    }
    with open(truth_path, "w") as handle:
        json.dump(truth, handle, indent=1)
    note(f"prepared {edges} edges, {len(names)} addresses in {truth['prepare_seconds']:.1f} s")
    if huge:
        loud(
            f"{huge} values are above 2^127 - 1 (the largest INT128/HUGEINT): Kùzu and DuckDB hold them only as "
            f"text (value_text), igraph not at all; sums are compared over the {edges - huge} values that fit."
        )
    return truth


# ---------------------------------------------------------------------------------------------------------------
# Queries: the same question in each engine's language. Each answer is (count, sum) or a single number.

SPOOR = {
    "1hop": "MATCH (a:Address {address: $a})-[t:TRANSFER]->(b:Address) RETURN b.address, t.value",
    "2hop": "MATCH (a:Address {address: $a})-[:TRANSFER]->(b:Address) WITH DISTINCT b "
    "MATCH (b)-[:TRANSFER]->(c:Address) RETURN count(DISTINCT c)",
    "3hop": "MATCH (a:Address {address: $a})-[:TRANSFER]->(b:Address) WITH DISTINCT b "
    "MATCH (b)-[:TRANSFER]->(c:Address) WITH DISTINCT c MATCH (c)-[:TRANSFER]->(d:Address) RETURN count(DISTINCT d)",
    "var1to3": "MATCH (a:Address {address: $a})-[:TRANSFER*1..3]->(c:Address) RETURN count(DISTINCT c)",
    "shortest": "MATCH p = shortestPath((a:Address {address: $a})-[:TRANSFER*..%d]->(b:Address {address: $b})) "
    "RETURN length(p)" % MAX_PATH,
}

KUZU = {
    "1hop": SPOOR["1hop"],
    "2hop": SPOOR["2hop"],
    "3hop": SPOOR["3hop"],
    "var1to3": SPOOR["var1to3"],
    "shortest": "MATCH p = (a:Address {address: $a})-[:TRANSFER* SHORTEST 1..%d]->(b:Address {address: $b}) "
    "RETURN length(p)" % MAX_PATH,
}

_F1 = "f1 AS (SELECT DISTINCT dst AS n FROM transfers WHERE src = $a)"
_F2 = "f2 AS (SELECT DISTINCT t.dst AS n FROM transfers t JOIN f1 ON t.src = f1.n)"
_F3 = "f3 AS (SELECT DISTINCT t.dst AS n FROM transfers t JOIN f2 ON t.src = f2.n)"
DUCKDB = {
    "1hop": "SELECT dst, value FROM transfers WHERE src = $a",
    "2hop": f"WITH {_F1}, {_F2} SELECT count(*) FROM f2",
    "3hop": f"WITH {_F1}, {_F2}, {_F3} SELECT count(*) FROM f3",
    "var1to3": f"WITH {_F1}, {_F2}, {_F3} SELECT count(*) FROM (SELECT n FROM f1 UNION SELECT n FROM f2 "
    "UNION SELECT n FROM f3)",
}

QUERY_TITLES = {
    "1hop": "1-hop (rows: receiver, value)",
    "2hop": "2-hop distinct",
    "3hop": "3-hop distinct",
    "var1to3": "*1..3 distinct",
    "shortest": f"shortest path (*..{MAX_PATH})",
}


def one_hop_answer(rows):
    """(rows, sum of the values that fit in INT128, values that do not) of 1-hop rows [(receiver, value)]."""
    small = 0
    huge = 0
    for _, value in rows:
        if value is None or value == "":
            huge += 1
            continue
        amount = int(value)
        if amount > INT128_MAX:
            huge += 1
        else:
            small += amount
    return [len(rows), str(small), huge]


def time_runs(run_once, repeat, budget):
    """Warm-up run (its answer is returned), then up to `repeat` timed runs within `budget` seconds (at least 1).

    A warm-up that alone takes longer than `budget` is the only sample (a query that slow is not repeated)."""
    started = time.perf_counter()
    answer = run_once()
    first = time.perf_counter() - started
    if first > budget:
        return answer, [first]
    times = []
    spent = 0.0
    while len(times) < repeat and (not times or spent < budget):
        started = time.perf_counter()
        run_once()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        spent += elapsed
    return answer, times


# ---------------------------------------------------------------------------------------------------------------
# Engines


class SpoorEngine:
    name = "spoor"

    def __init__(self, binary, work):
        self.binary = os.path.abspath(binary)
        self.store = os.path.join(work, "spoor.store")

    def version(self):
        return subprocess.run([self.binary, "--version"], capture_output=True, text=True).stdout.strip()

    def load(self, csv_path, truth):
        shutil.rmtree(self.store, ignore_errors=True)
        command = ["/usr/bin/time", "-f", "peak_rss_kib %M", self.binary, "ingest", self.store, "--format",
                   "transfers-csv", csv_path, "--quiet"]
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Every 0.2 s: the ingest's anonymous (heap) and file-backed (the mapped LMDB file) resident memory.
        peak_anon = 0
        peak_file = 0
        while process.poll() is None:
            try:
                children = open(f"/proc/{process.pid}/task/{process.pid}/children").read().split()
                for child in children:
                    with open(f"/proc/{child}/status") as status:
                        for line in status:
                            if line.startswith("RssAnon:"):
                                peak_anon = max(peak_anon, int(line.split()[1]) * 1024)
                            elif line.startswith("RssFile:"):
                                peak_file = max(peak_file, int(line.split()[1]) * 1024)
            except OSError:
                pass
            time.sleep(0.2)
        _, stderr = process.communicate()
        seconds = time.monotonic() - started
        if process.returncode != 0:
            raise SystemExit(f"spoor ingest failed:\n{stderr}")
        peak = None
        for line in stderr.splitlines():
            if line.startswith("peak_rss_kib "):
                peak = int(line.split()[1]) * 1024
        note(stderr.strip())
        note(f"   peak RSS {peak}, of it at most {peak_anon} anonymous and {peak_file} file-backed (sampled)")
        return {"seconds": seconds, "bytes": dir_bytes(self.store), "peak_rss": peak, "peak_rss_anon": peak_anon or None,
                "peak_rss_file": peak_file or None}

    def bench(self, query, params, repeat, budget, timeout=300):
        command = [self.binary, "bench-query", self.store, query, "--repeat", str(repeat), "--budget", str(budget),
                   "--timeout", str(timeout)]
        for key, value in params.items():
            command += ["--param", f"{key}={value}"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
            return None, None, errors[0] if errors else (done.stderr.strip() or f"exit {done.returncode}")
        stats = None
        for line in done.stderr.splitlines():
            if line.startswith("bench: "):
                stats = json.loads(line[len("bench: "):])
        lines = done.stdout.splitlines()[1:]  # After the CSV header.
        return lines, stats, None

    def run_cell(self, kind, anchors, repeat, budget, limit):
        """Answers per anchor and the timings (seconds) of all anchors together."""
        answers = []
        times = []
        started = time.monotonic()
        for index, params in enumerate(anchors):
            left = limit - (time.monotonic() - started)
            if left <= 0:
                return None, None, f"DNF: over {limit:.0f} s after {index} of {len(anchors)} anchors"
            lines, stats, error = self.bench(SPOOR[kind], params, repeat, budget, timeout=left)
            if error:
                if "timed out" in error.lower() or "timeout" in error.lower():
                    error = f"DNF: over {limit:.0f} s ({error})"
                return None, None, error
            if kind == "1hop":
                rows = [line.rsplit(",", 1) for line in lines]
                answers.append(one_hop_answer(rows))
            else:
                answers.append(int(lines[0]) if lines and lines[0] != "" else None)
            times += [t / 1e6 for t in stats["times_us"]]
        return answers, times, None

    def check_totals(self):
        query = ("MATCH (:Address)-[t:TRANSFER]->() WHERE t.value <= 170141183460469231731687303715884105727 "
                 "RETURN count(t), sum(t.value)")
        lines, _, error = self.bench(query, {}, 1, 1, timeout=3600)
        if error:
            return {"error": error}
        count, total = lines[0].split(",")
        lines2, _, _ = self.bench("MATCH (a:Address) RETURN count(a)", {}, 1, 1, timeout=3600)
        lines3, _, _ = self.bench("MATCH (:Address)-[t:TRANSFER]->() RETURN count(t)", {}, 1, 1, timeout=3600)
        return {"edges": int(lines3[0]), "small_edges": int(count), "sum_small": total,
                "addresses": int(lines2[0])}


class KuzuEngine:
    name = "kuzu"

    def __init__(self, work):
        import kuzu

        self.kuzu = kuzu
        self.path = os.path.join(work, "kuzu.db")
        self.connection = None
        self.prepared = {}

    def version(self):
        return self.kuzu.__version__

    def load(self, work, truth):
        for suffix in ("", ".wal", ".shadow"):
            target = self.path + suffix
            if os.path.isdir(target):
                shutil.rmtree(target)
            elif os.path.exists(target):
                os.remove(target)
        started = time.monotonic()
        # A bounded buffer pool (the default is 80% of RAM), large enough for every query here.
        self.database = self.kuzu.Database(self.path, buffer_pool_size=KUZU_BUFFER_POOL_GIB << 30)
        self.connection = self.kuzu.Connection(self.database)
        c = self.connection
        c.execute("CREATE NODE TABLE Address(address STRING, PRIMARY KEY(address))")
        c.execute("CREATE REL TABLE TRANSFER(FROM Address TO Address, tx STRING, block INT64, time INT64, "
                  "value INT128, value_text STRING, asset STRING, logIndex INT64)")
        c.execute(f"COPY Address FROM '{os.path.join(work, 'nodes.csv')}' (HEADER=true)")
        c.execute(f"COPY TRANSFER FROM '{os.path.join(work, 'edges.csv')}' (HEADER=true)")
        c.execute("CHECKPOINT")
        seconds = time.monotonic() - started
        return {"seconds": seconds, "bytes": dir_bytes(self.path)}

    def execute(self, kind, params):
        statement = self.prepared.get(kind)
        if statement is None:
            statement = self.connection.prepare(KUZU[kind])
            self.prepared[kind] = statement
        return self.connection.execute(statement, params).get_all()

    def run_cell(self, kind, anchors, repeat, budget, limit):
        answers = []
        times = []
        started = time.monotonic()
        if hasattr(self, "connection") and hasattr(self.connection, "set_query_timeout"):
            self.connection.set_query_timeout(int(limit * 1000))
        for index, params in enumerate(anchors):
            if time.monotonic() - started > limit:
                return None, None, f"DNF: over {limit:.0f} s after {index} of {len(anchors)} anchors"
            try:
                rows, samples = time_runs(lambda: self.execute(kind, params), repeat, budget)
            except Exception as error:  # noqa: BLE001 - an engine error is reported, not fatal
                text = str(error).splitlines()[0] if str(error) else type(error).__name__
                if "interrupt" in text.lower() or "timeout" in text.lower():
                    text = f"DNF: over {limit:.0f} s ({text})"
                return None, None, text
            answers.append(one_hop_answer(rows) if kind == "1hop" else (rows[0][0] if rows else None))
            times += samples
        return answers, times, None

    def check_totals(self):
        c = self.connection
        edges, small, total = c.execute(
            "MATCH ()-[t:TRANSFER]->() RETURN count(t), count(t.value), sum(t.value)").get_all()[0]
        addresses = c.execute("MATCH (a:Address) RETURN count(a)").get_all()[0][0]
        return {"edges": edges, "small_edges": small, "sum_small": str(total), "addresses": addresses}


class DuckEngine:
    name = "duckdb"

    def __init__(self, work):
        import duckdb

        self.duckdb = duckdb
        self.path = os.path.join(work, "duck.db")
        self.connection = None

    def version(self):
        return self.duckdb.__version__

    def load(self, work, truth):
        for suffix in ("", ".wal"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        started = time.monotonic()
        self.connection = self.duckdb.connect(self.path)
        edges = os.path.join(work, "edges.csv")
        self.connection.execute(
            f"""CREATE TABLE transfers AS SELECT * FROM read_csv('{edges}', header = true, columns = {{
                'src': 'VARCHAR', 'dst': 'VARCHAR', 'tx': 'VARCHAR', 'block': 'BIGINT', 'time': 'BIGINT',
                'value': 'HUGEINT', 'value_text': 'VARCHAR', 'asset': 'VARCHAR', 'log_index': 'BIGINT'}})""")
        # An index for the address lookups (1-hop); the joins are hash joins either way.
        self.connection.execute("CREATE INDEX transfers_src ON transfers(src)")
        self.connection.execute("CHECKPOINT")
        seconds = time.monotonic() - started
        return {"seconds": seconds, "bytes": dir_bytes(self.path)}

    def shortest(self, a, b):
        """Breadth-first search, one SQL join per level (frontier minus visited), driven from Python."""
        c = self.connection
        if a == b:
            return 0
        c.execute("CREATE OR REPLACE TEMP TABLE visited AS SELECT $a::VARCHAR AS n", {"a": a})
        c.execute("CREATE OR REPLACE TEMP TABLE frontier AS SELECT $a::VARCHAR AS n", {"a": a})
        for depth in range(1, MAX_PATH + 1):
            c.execute("CREATE OR REPLACE TEMP TABLE frontier AS SELECT DISTINCT t.dst AS n FROM transfers t "
                      "JOIN frontier f ON t.src = f.n ANTI JOIN visited v ON t.dst = v.n")
            found, size = c.execute("SELECT count(*) FILTER (WHERE n = $b), count(*) FROM frontier",
                                    {"b": b}).fetchone()
            if found:
                return depth
            if size == 0:
                return None
            c.execute("INSERT INTO visited SELECT n FROM frontier")
        return None

    def execute(self, kind, params):
        if kind == "shortest":
            return [(self.shortest(params["a"], params["b"]),)]
        return self.connection.execute(DUCKDB[kind], params).fetchall()

    run_cell = KuzuEngine.run_cell

    def check_totals(self):
        c = self.connection
        edges, small, total = c.execute("SELECT count(*), count(value), sum(value) FROM transfers").fetchone()
        addresses = c.execute("SELECT count(*) FROM (SELECT src FROM transfers UNION SELECT dst FROM transfers)"
                              ).fetchone()[0]
        return {"edges": edges, "small_edges": small, "sum_small": str(total), "addresses": addresses}


class IgraphEngine:
    """igraph in memory: the topology only (Read_Edgelist of numeric ids); no values, so 1-hop checks counts only."""

    name = "igraph"

    def __init__(self, work):
        import igraph

        self.igraph = igraph

    def version(self):
        return self.igraph.__version__

    def load(self, work, truth):
        started = time.monotonic()
        self.graph = self.igraph.Graph.Read_Edgelist(os.path.join(work, "edges.el"), directed=True)
        with open(os.path.join(work, "nodes.csv")) as handle:
            handle.readline()
            self.names = [line.rstrip("\n") for line in handle]
        self.ids = {name: i for i, name in enumerate(self.names)}
        seconds = time.monotonic() - started
        return {"seconds": seconds, "bytes": None}

    def frontiers(self, start, hops):
        g = self.graph
        frontier = {start}
        result = []
        for _ in range(hops):
            lists = g.neighborhood(list(frontier), order=1, mode="out", mindist=1)
            frontier = set(itertools.chain.from_iterable(lists))
            result.append(frontier)
        return result

    def execute(self, kind, params):
        g = self.graph
        v = self.ids[params["a"]]
        if kind == "1hop":
            targets = g.neighbors(v, mode="out")  # One entry per edge: parallel transfers repeat.
            return [(self.names[t], None) for t in targets]
        if kind == "2hop":
            return [(len(self.frontiers(v, 2)[-1]),)]
        if kind == "3hop":
            return [(len(self.frontiers(v, 3)[-1]),)]
        if kind == "var1to3":
            within = g.neighborhood(v, order=3, mode="out", mindist=1)
            # A closed walk of length <= 3 puts the start itself among the ends (Cypher counts it, BFS does not).
            near = set(g.neighborhood(v, order=2, mode="out", mindist=0))
            back = any(u in near for u in g.neighbors(v, mode="in"))
            return [(len(within) + (1 if back else 0),)]
        if kind == "shortest":
            path = g.get_shortest_path(v, self.ids[params["b"]], mode="out")
            return [(len(path) - 1 if path else None,)]
        raise ValueError(kind)

    def run_cell(self, kind, anchors, repeat, budget, limit):
        answers = []
        times = []
        started = time.monotonic()
        for index, params in enumerate(anchors):
            if time.monotonic() - started > limit:
                return None, None, f"DNF: over {limit:.0f} s after {index} of {len(anchors)} anchors"
            rows, samples = time_runs(lambda: self.execute(kind, params), repeat, budget)
            answers.append([len(rows), None, None] if kind == "1hop" else rows[0][0])
            times += samples
        return answers, times, None


# ---------------------------------------------------------------------------------------------------------------
# run


def machine():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as handle:
            memory = int(handle.readline().split()[1]) * 1024
    except OSError:
        memory = None
    return {"nproc": os.cpu_count(), "memory": memory, "cpu": cpu, "kernel": platform.release(),
            "python": platform.python_version(), "loadavg_at_start": os.getloadavg()[0]}


def same(kind, spoor_answer, other, engine):
    """Whether `other` agrees with Spoor's answer (igraph's 1-hop answers carry counts only)."""
    if kind == "1hop":
        if engine == "igraph":
            return spoor_answer[0] == other[0]
        return list(spoor_answer) == list(other)
    return spoor_answer == other


def run(args):
    work = os.path.abspath(args.work)
    truth = prepare(args.csv, work)
    wanted = args.engines.split(",")
    engines = [SpoorEngine(args.spoor, work)] if "spoor" in wanted else []
    if "kuzu" in wanted:
        engines.append(KuzuEngine(work))
    if "duckdb" in wanted:
        engines.append(DuckEngine(work))
    if "igraph" in wanted:
        engines.append(IgraphEngine(work))
    result = {
        "size": truth["edges"],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "versions": {e.name: e.version() for e in engines},
        "truth": truth,
        "load": {},
        "totals": {},
        "cells": {},
        "mismatches": [],
        "errors": [],
    }

    # Loads, one engine at a time.
    failed = []
    for engine in engines:
        note(f"== load {engine.name}")
        source = os.path.abspath(args.csv) if engine.name == "spoor" else work
        try:
            load = engine.load(source, truth)
        except Exception as error:  # noqa: BLE001 - a peer that cannot load is reported, the others go on
            message = f"{engine.name} load: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
            loud(message)
            result["errors"].append(message)
            result["load_errors"] = result.get("load_errors", {}) | {engine.name: message}
            failed.append(engine)
            continue
        load["rows_per_second"] = truth["edges"] / load["seconds"]
        load["bytes_per_edge"] = load["bytes"] / truth["edges"] if load.get("bytes") else None
        result["load"][engine.name] = load
        note(f"   {load['seconds']:.2f} s, {load['rows_per_second']:.0f} rows/s, bytes/edge {load['bytes_per_edge']}")

    engines = [engine for engine in engines if engine not in failed]

    # Totals against the script's own figures.
    expected_totals = {"edges": truth["edges"], "small_edges": truth["edges"] - truth["huge_values"],
                       "sum_small": truth["sum_small"], "addresses": truth["addresses"]}
    for engine in engines:
        if not hasattr(engine, "check_totals"):
            continue
        totals = engine.check_totals()
        result["totals"][engine.name] = totals
        for key, value in expected_totals.items():
            if str(totals.get(key)) != str(value):
                message = f"{engine.name}: total {key} = {totals.get(key)}, the CSV says {value}"
                loud("MISMATCH " + message)
                result["mismatches"].append(message)
    if isinstance(engines[-1], IgraphEngine):
        g = engines[-1].graph
        if g.ecount() != truth["edges"] or g.vcount() != truth["addresses"]:
            message = f"igraph: {g.ecount()} edges / {g.vcount()} vertices, the CSV says {truth['edges']} / " \
                      f"{truth['addresses']}"
            loud("MISMATCH " + message)
            result["mismatches"].append(message)

    # Shortest-path pairs: from each of the first random anchors to an address PATH_DISTANCE hops away (the first
    # in address order), found with igraph's breadth-first search when igraph runs, else with DuckDB's.
    pairs = []
    ig = next((e for e in engines if isinstance(e, IgraphEngine)), None)
    if ig is not None:
        for a in truth["random"][:PATH_PAIRS]:
            levels = ig.graph.bfs(ig.ids[a], mode="out")
            order, layers = levels[0], levels[1]
            for depth in range(PATH_DISTANCE, 0, -1):
                if depth < len(layers):
                    ring = order[layers[depth - 1]:layers[depth]] if depth < len(layers) else []
                    if ring:
                        pairs.append({"a": a, "b": min(ig.names[i] for i in ring)})
                        break

    anchor_sets = {
        "hub": [{"a": truth["hub"]}],
        "median": [{"a": truth["median"]}],
        "random": [{"a": a} for a in truth["random"]],
    }
    plan = []
    kinds = args.queries.split(",") if args.queries else list(SPOOR)
    for kind in ("1hop", "2hop", "3hop", "var1to3"):
        for anchor in ("hub", "median", "random"):
            if kind in kinds:
                plan.append((kind, anchor, anchor_sets[anchor]))
    if pairs and "shortest" in kinds:
        plan.append(("shortest", "pairs", pairs))

    for kind, anchor, anchors in plan:
        cell = f"{kind}/{anchor}"
        note(f"== {cell}")
        entry = {}
        reference = None
        for engine in engines:
            if args.skip and f"{engine.name}:{cell}" in args.skip.split(","):
                entry[engine.name] = {"error": "skipped (--skip)"}
                continue
            repeat = args.repeat if anchor != "random" else max(2, args.repeat // 5)
            answers, times, error = engine.run_cell(kind, anchors, repeat, args.budget, args.limit)
            if error:
                entry[engine.name] = {"error": error}
                note(f"   {engine.name}: {error}")
                result["errors"].append(f"{engine.name} {cell}: {error}")
                continue
            times.sort()
            entry[engine.name] = {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "runs": len(times),
                                  "answers": answers}
            note(f"   {engine.name}: p50 {entry[engine.name]['p50'] * 1e3:.3f} ms, "
                 f"p95 {entry[engine.name]['p95'] * 1e3:.3f} ms, answer {answers[0] if len(answers) == 1 else answers}")
            if reference is None:
                reference = answers
            elif reference is not None:
                for params, want, got in zip(anchors, reference, answers):
                    if not same(kind, want, got, engine.name):
                        message = f"{cell} {params}: {engines[0].name} says {want}, {engine.name} says {got}"
                        loud("MISMATCH " + message)
                        result["mismatches"].append(message)
        if kind == "1hop" and reference is not None and anchor == "hub" and reference[0][0] != truth["hub_out"]:
            message = f"1hop/hub: {engines[0].name} gives {reference[0][0]} rows, the CSV has {truth['hub_out']} transfers out"
            loud("MISMATCH " + message)
            result["mismatches"].append(message)
        result["cells"][cell] = entry

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=1)
    if result["mismatches"]:
        loud(f"{len(result['mismatches'])} MISMATCHES (see {args.out})")
    else:
        note(f"every answer agrees; results in {args.out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="load and query every engine on one CSV")
    run_parser.add_argument("--csv", required=True)
    run_parser.add_argument("--spoor", required=True, help="the release spoor binary")
    run_parser.add_argument("--work", required=True, help="scratch directory for the stores")
    run_parser.add_argument("--out", required=True, help="the JSON results file")
    run_parser.add_argument("--engines", default="spoor,kuzu,duckdb,igraph",
                            help="engines to run; answers are checked against the first")
    run_parser.add_argument("--repeat", type=int, default=20, help="timed runs per query and anchor")
    run_parser.add_argument("--budget", type=float, default=10.0, help="seconds of timed runs per query and anchor")
    run_parser.add_argument("--queries", default="",
                            help="query kinds to run, comma-separated (default all: " + ",".join(SPOOR) + ")")
    run_parser.add_argument("--limit", type=float, default=60.0,
                            help="seconds one engine may spend on one query cell (all its anchors) before DNF")
    run_parser.add_argument("--skip", default="", help="engine:query/anchor cells to skip, comma-separated")
    report_parser = commands.add_parser("report", help="RESULTS.md and plots from the JSON files")
    report_parser.add_argument("--results", required=True, help="directory of JSON results")
    report_parser.add_argument("--out", required=True)
    report_parser.add_argument("--plots", required=True)
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    else:
        from report import report

        report(args)


if __name__ == "__main__":
    main()
