"""RESULTS.md and PNG plots from the JSON files that `peers.py run` writes (one per data size)."""

import glob
import json
import os

ENGINES = ["spoor", "kuzu", "duckdb", "igraph"]
CELLS = [
    ("1hop/hub", "1-hop, largest hub (rows)"),
    ("1hop/median", "1-hop, median address (rows)"),
    ("1hop/random", "1-hop, 20 random addresses (rows)"),
    ("2hop/hub", "2-hop distinct, largest hub"),
    ("2hop/median", "2-hop distinct, median address"),
    ("2hop/random", "2-hop distinct, random addresses"),
    ("3hop/hub", "3-hop distinct, largest hub"),
    ("3hop/median", "3-hop distinct, median address"),
    ("3hop/random", "3-hop distinct, random addresses"),
    ("var1to3/hub", "`*1..3` distinct, largest hub"),
    ("var1to3/median", "`*1..3` distinct, median address"),
    ("var1to3/random", "`*1..3` distinct, random addresses"),
    ("shortest/pairs", "shortest path, 5 pairs 4 hops apart"),
]


def millis(seconds):
    if seconds is None:
        return "-"
    value = seconds * 1e3
    if value >= 100:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.3f}"


def human_bytes(count):
    if count is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return str(count)


def peak_text(entry):
    text = human_bytes(entry.get("peak_rss"))
    if entry.get("peak_rss_anon"):
        text += f" (anon {human_bytes(entry['peak_rss_anon'])}, file {human_bytes(entry.get('peak_rss_file'))})"
    return text


def load_results(directory):
    results = []
    for path in glob.glob(os.path.join(directory, "*.json")):
        with open(path) as handle:
            results.append(json.load(handle))
    results.sort(key=lambda r: r["size"])
    return results


def ratio(numerator, denominator):
    if not numerator or not denominator:
        return "-"
    value = numerator / denominator
    if value >= 1:
        return f"{value:.1f}×"
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.3f}×"


def cell_text(entry):
    if entry is None:
        return "-"
    if "error" in entry:
        return entry["error"].split(" (")[0] if entry["error"].startswith("DNF") else "error"
    return f"{millis(entry['p50'])} / {millis(entry['p95'])}"


def targets(result):
    """(target, measured, met?) rows for the issue-7 targets this run can measure."""
    rows = []
    load = result["load"]
    cells = result["cells"]
    spoor_rate = load.get("spoor", {}).get("rows_per_second")
    kuzu_rate = load.get("kuzu", {}).get("rows_per_second")
    if spoor_rate and kuzu_rate:
        rows.append(("transfers-CSV ingest ≥ 3× Kùzu's COPY rate",
                     f"Spoor {spoor_rate:,.0f} rows/s, Kùzu {kuzu_rate:,.0f} rows/s: {spoor_rate / kuzu_rate:.2f}×",
                     spoor_rate >= 3 * kuzu_rate))
    per_edge = load.get("spoor", {}).get("bytes_per_edge")
    if per_edge:
        kuzu_edge = load.get("kuzu", {}).get("bytes_per_edge")
        rows.append(("≤ 12 bytes per transfer on disk",
                     f"Spoor {per_edge:.1f} B" + (f" (Kùzu {kuzu_edge:.1f} B)" if kuzu_edge else ""), per_edge <= 12))
    hub3 = cells.get("3hop/hub", {})
    spoor3 = hub3.get("spoor", {}).get("p50")
    kuzu3 = hub3.get("kuzu", {}).get("p50")
    igraph3 = hub3.get("igraph", {}).get("p50")
    if spoor3 and kuzu3:
        rows.append(("3-hop distinct from the hub ≥ 5× faster than Kùzu",
                     f"Spoor {millis(spoor3)} ms, Kùzu {millis(kuzu3)} ms: Spoor {kuzu3 / spoor3:.2f}× as fast", kuzu3 >= 5 * spoor3))
    if spoor3 and igraph3:
        rows.append(("3-hop distinct from the hub within 2× of igraph",
                     f"Spoor {millis(spoor3)} ms, igraph {millis(igraph3)} ms: {spoor3 / igraph3:.1f}× igraph's",
                     spoor3 <= 2 * igraph3))
    for anchor in ("median", "random"):
        one = cells.get(f"1hop/{anchor}", {}).get("spoor", {}).get("p50")
        if one:
            rows.append((f"1-hop from an address p50 ≤ 50 µs in process ({anchor})", f"{one * 1e6:.0f} µs",
                         one <= 50e-6))
    peak = load.get("spoor", {}).get("peak_rss")
    if peak and result["size"] >= 10_000_000:
        rows.append(("peak memory while ingesting 10M transfers ≤ 2 GiB", human_bytes(peak), peak <= 2 << 30))
    elif peak and peak > 2 << 30:
        rows.append(("peak memory while ingesting 10M transfers ≤ 2 GiB", f"{human_bytes(peak)} already at this size",
                     False))
    return rows


def report(args):
    results = load_results(args.results)
    if not results:
        raise SystemExit(f"{args.results}: no JSON results")
    os.makedirs(args.plots, exist_ok=True)
    main = next((r for r in results if r["size"] == 1_000_000), results[0])
    lines = []
    out = lines.append
    machine = main["machine"]
    out("# Spoor against Kùzu, DuckDB and igraph")
    out("")
    out("Written by `make bench-peers` (`Benchmarks/peers/peers.py`); do not edit by hand. Same machine, same data, "
        "one run per size; every engine's answers are checked against Spoor's and against figures the script works "
        "out from the CSV itself.")
    out("")
    out(f"- Date: {main['date']}")
    out(f"- Machine: {machine['nproc']} cores ({machine['cpu']}), {human_bytes(machine['memory'])} RAM, "
        f"Linux {machine['kernel']}, Python {machine['python']}; load average when the run started: "
        + ", ".join(f"{r['size'] / 1e6:g}M: {r['machine'].get('loadavg_at_start', 0):.1f}" for r in results)
        + " (other builds shared the 2 cores: absolute figures are noisy, the ratios less so)")
    out("- Versions: " + ", ".join(f"{name} {version}" for name, version in main["versions"].items()))
    out("- Data: `spoor generate transfers --count N --seed 2026 --plant <OFAC ETH list>` (power-law degrees, "
        "30% token transfers, 1% values above 2^127).")
    out("- Spoor: release CLI; load = `spoor ingest` (whole process, all properties); latency in process with "
        "`spoor bench-query` (query prepared once; each run opens a snapshot and pulls every row). Peers: Python "
        "API, time around execute + fetching every row into Python, prepared statements, all threads (2).")
    out("- Kùzu: `COPY` of a node file and the edge file (INT128 values), CHECKPOINT. DuckDB: one table from "
        "`read_csv` + an index on `src`, CHECKPOINT; k-hop as joins of DISTINCT frontiers; shortest path as one "
        "SQL join per BFS level driven from Python. igraph: `Read_Edgelist` of numeric ids, topology only (no "
        "properties, nothing on disk); k-hop from `neighborhood()` frontiers.")
    out("- Peers load a layout the script writes once from the same CSV (`prepare`, not timed): node file, edge "
        "file with value split into INT128 / text, numeric edge list.")
    out("")
    for result in results:
        truth = result["truth"]
        if truth["huge_values"]:
            out(f"> **{result['size']:,} transfers: {truth['huge_values']:,} values are above 2^127 − 1.** Kùzu "
                "(INT128) and DuckDB (HUGEINT) cannot hold them as numbers: they are loaded as text in `value_text` "
                "(value NULL), and every sum below is compared over the values that fit only. Spoor holds all of "
                "them exactly (UInt256).")
    out("")
    out("## Load")
    out("")
    out("| transfers | engine | load s | rows/s | Spoor's rate ÷ engine's | on disk | bytes/transfer | engine's bytes ÷ "
        "Spoor's | peak RSS |")
    out("|---|---|---|---|---|---|---|---|---|")
    for result in results:
        load = result["load"]
        spoor = load.get("spoor", {})
        for engine in ENGINES:
            entry = load.get(engine)
            if not entry:
                error = result.get("load_errors", {}).get(engine)
                if error:
                    out(f"| {result['size']:,} | {engine} | failed: {error} | | | | | | |")
                continue
            rate_ratio = "1" if engine == "spoor" else ratio(spoor.get("rows_per_second"), entry["rows_per_second"])
            size_ratio = "1" if engine == "spoor" else ratio(entry.get("bytes"), spoor.get("bytes"))
            per_edge = f"{entry['bytes_per_edge']:.1f}" if entry.get("bytes_per_edge") else "- (in memory)"
            out(f"| {result['size']:,} | {engine} | {entry['seconds']:.1f} | {entry['rows_per_second']:,.0f} | "
                f"{rate_ratio} | {human_bytes(entry.get('bytes'))} | {per_edge} | {size_ratio} | "
                f"{peak_text(entry)} |")
    out("")
    for result in results:
        if result.get("note"):
            out(f"{result['size']:,} transfers: {result['note']}")
            out("")
    out("Peak RSS: Spoor's ingest process (`/usr/bin/time`), which counts the pages of the memory-mapped LMDB file it "
        "touched (anon / file: the largest anonymous and file-backed parts, sampled every 0.2 s); the peers load inside the Python process and are not measured separately. Peers' load times exclude "
        "`prepare`.")
    out("")
    for result in results:
        engines = [e for e in ENGINES if e in result["load"]]
        if not result["cells"]:
            if result["mismatches"]:
                out(f"**{result['size']:,} transfers (loads only): {len(result['mismatches'])} MISMATCHES:**")
                out("")
                for message in result["mismatches"]:
                    out(f"- {message}")
            else:
                out(f"{result['size']:,} transfers (loads only, no queries): the totals (transfers, addresses, sum of "
                    "values) of every engine agree with the CSV.")
            out("")
            continue
        out(f"## Latency at {result['size']:,} transfers")
        out("")
        out("p50 / p95 in milliseconds; the ratio is the engine's p50 ÷ Spoor's (above 1: Spoor is faster). DNF: did "
            "not finish within the cell's time limit.")
        out("")
        out("| query | answer | " + " | ".join(engines) + " | " + " | ".join(f"{e} ÷ spoor" for e in engines[1:]) + " |")
        out("|---|---|" + "---|" * (2 * len(engines) - 1))
        for cell, title in CELLS:
            entry = result["cells"].get(cell)
            if entry is None:
                continue
            answer = "-"
            for engine in engines:
                answers = entry.get(engine, {}).get("answers")
                if answers:
                    first = answers[0]
                    answer = (f"{first[0]} rows" if isinstance(first, list) else str(first))
                    if len(answers) > 1:
                        answer = "(per address)"
                    break
            spoor_p50 = entry.get("spoor", {}).get("p50")
            ratios = [ratio(entry.get(e, {}).get("p50"), spoor_p50) for e in engines[1:]]
            out(f"| {title} | {answer} | " + " | ".join(cell_text(entry.get(e)) for e in engines) + " | "
                + " | ".join(ratios) + " |")
        out("")
        if result["mismatches"]:
            out(f"**{len(result['mismatches'])} MISMATCHES:**")
            out("")
            for message in result["mismatches"]:
                out(f"- {message}")
        else:
            out("Answers: every engine agrees with Spoor on every count and every exact sum (1-hop: rows, sum of "
                "the values below 2^127 and number of larger ones; igraph: counts only), and the totals (transfers, "
                "addresses, sum of values) of Spoor, Kùzu and DuckDB agree with the CSV.")
        out("")
    out("## Targets (issue 7)")
    out("")
    out("| target | measured | met |")
    out("|---|---|---|")
    for result in results:
        for target, measured, met in targets(result):
            out(f"| {target} — {result['size']:,} transfers | {measured} | {'yes' if met else '**no**'} |")
    out("| exposure p95 < 50 ms; batch scan of 10M transfers < 10 s | not part of this comparison: the Swift suites "
        "in `Benchmarks/Benchmarks/` | - |")
    out("")
    out("## Plots")
    out("")
    plots = make_plots(results, main, args.plots)
    for title, path in plots:
        out(f"![{title}]({os.path.relpath(path, os.path.dirname(os.path.abspath(args.out)))})")
        out("")
    notes_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")
    if os.path.exists(notes_path):
        with open(notes_path) as handle:
            out(handle.read().rstrip())
            out("")
    with open(args.out, "w") as handle:
        handle.write("\n".join(lines))
    print(f"wrote {args.out} and {len(plots)} plots")


def make_plots(results, main, directory):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"spoor": "tab:red", "kuzu": "tab:blue", "duckdb": "tab:olive", "igraph": "tab:green"}
    plots = []
    engines = [e for e in ENGINES if e in main["load"]]

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for axis, anchor in zip(axes, ("hub", "median")):
        for engine in engines:
            xs, ys = [], []
            for hops, kind in ((1, "1hop"), (2, "2hop"), (3, "3hop")):
                entry = main["cells"].get(f"{kind}/{anchor}", {}).get(engine, {})
                if entry.get("p50"):
                    xs.append(hops)
                    ys.append(entry["p50"] * 1e3)
            if xs:
                axis.plot(xs, ys, marker="o", label=engine, color=colours[engine])
        axis.set_yscale("log")
        axis.set_xticks([1, 2, 3])
        axis.set_xlabel("hops (distinct reachable; 1 hop: all rows)")
        axis.set_ylabel("p50 latency, ms (log)")
        axis.set_title(f"from the {'largest hub' if anchor == 'hub' else 'median address'}, "
                       f"{main['size'] / 1e6:g}M transfers")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.tight_layout()
    path = os.path.join(directory, "latency-vs-hops.png")
    figure.savefig(path, dpi=90)
    plt.close(figure)
    plots.append(("latency against hop count", path))

    figure, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    sizes = [r["size"] for r in results]
    peaks = [(r["size"] / 1e6, r["load"]["spoor"]["peak_rss"] / 2**30) for r in results
             if r["load"].get("spoor", {}).get("peak_rss")]
    if peaks:
        axes[2].plot([p[0] for p in peaks], [p[1] for p in peaks], marker="o", label="spoor ingest",
                     color=colours["spoor"])
    axes[2].axhline(2, linestyle="--", color="grey", label="target: 2 GiB at 10M")
    axes[2].set_title("Spoor's peak RSS while ingesting")
    axes[2].set_xlabel("transfers (millions)")
    axes[2].set_ylabel("GiB")
    for engine in engines:
        xs = [r["size"] / 1e6 for r in results if engine in r["load"]]
        seconds = [r["load"][engine]["seconds"] for r in results if engine in r["load"]]
        axes[0].plot(xs, seconds, marker="o", label=engine, color=colours[engine])
        disk = [(r["size"] / 1e6, r["load"][engine]["bytes"] / 2**20) for r in results
                if engine in r["load"] and r["load"][engine].get("bytes")]
        if disk:
            axes[1].plot([d[0] for d in disk], [d[1] for d in disk], marker="o", label=engine,
                         color=colours[engine])
    axes[0].set_title("load time")
    axes[0].set_xlabel("transfers (millions)")
    axes[0].set_ylabel("seconds")
    axes[1].set_title("size on disk")
    axes[1].set_xlabel("transfers (millions)")
    axes[1].set_ylabel("MiB")
    for axis in axes:
        axis.grid(True, alpha=0.3)
        axis.legend()
        axis.set_xticks([s / 1e6 for s in sizes])
        axis.set_ylim(bottom=0)
    figure.tight_layout()
    path = os.path.join(directory, "load-and-size.png")
    figure.savefig(path, dpi=90)
    plt.close(figure)
    plots.append(("load time, size on disk and Spoor's peak memory against data size", path))
    return plots
