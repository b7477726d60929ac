#!/usr/bin/env python3
"""Expected figures for the ethereum-etl ingest tests, computed with the csv module alone (no Spoor code).

Run from the repository root: python3 Tests/Fixtures/ethereum_etl_expected.py [--keep-zero]
Rules (as documented in Sources/SpoorIngest/EthereumETL/EthereumETLIngester.swift):
- a transaction's own value is stored when its receipt status is not 0 and value > 0 (or --keep-zero); the receiver
  is to_address, else the receipt's contract_address;
- without transactions.csv, a top-level call/create trace (trace_address empty) with status 1 stands for it;
- internal transfers: traces with trace_address non-empty, trace_type call (call_type call), create or suicide,
  status 1, value > 0 (or --keep-zero), of a transaction that did not fail;
- every token_transfers.csv row is stored.
"""
import csv
import os
import sys
from collections import defaultdict

KEEP_ZERO = "--keep-zero" in sys.argv
DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "ethereum")


def rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def figures(paths):
    tables = defaultdict(list)
    for path in paths:
        name = os.path.basename(path)
        kind = "token_transfers" if "token_transfers" in name else next(
            k for k in ("blocks", "receipts", "transactions", "traces") if k in name)
        tables[kind] += rows(path)
    failed = {r["transaction_hash"] for r in tables["receipts"] if r["status"] == "0"}
    contract = {r["transaction_hash"]: r["contract_address"] for r in tables["receipts"]}
    for t in tables["traces"]:
        if t["transaction_hash"] and t["trace_address"] == "" and t["status"] == "0":
            failed.add(t["transaction_hash"])
    edges = []  # (tx, from, to, value, asset)
    txs = set()
    have_tx = {t["hash"] for t in tables["transactions"]}
    for t in tables["transactions"]:
        txs.add(t["hash"])
        to = t["to_address"] or contract.get(t["hash"], "")
        value = int(t["value"])
        if t["hash"] in failed or not to or (value == 0 and not KEEP_ZERO):
            continue
        edges.append((t["hash"], t["from_address"], to, value, None))
    for t in tables["traces"]:
        h = t["transaction_hash"]
        if not h:
            continue  # block reward
        txs.add(h)
        kind_ok = (t["trace_type"] == "call" and t["call_type"] == "call") or t["trace_type"] in ("create", "suicide")
        if not kind_ok or t["status"] != "1" or h in failed:
            continue
        value = int(t["value"])
        if value == 0 and not KEEP_ZERO:
            continue
        if t["trace_address"] == "" and h in have_tx:
            continue
        edges.append((h, t["from_address"], t["to_address"], value, None))
    for t in tables["token_transfers"]:
        txs.add(t["transaction_hash"])
        edges.append((t["transaction_hash"], t["from_address"], t["to_address"], int(t["value"]), t["token_address"]))
    native = sum(e[3] for e in edges if e[4] is None)
    tokens = defaultdict(int)
    for e in edges:
        if e[4] is not None:
            tokens[e[4]] += e[3]
    big = sum(1 for e in edges if e[4] is not None and e[3] > 2**127)
    return {
        "transfers": len(edges), "native_edges": sum(1 for e in edges if e[4] is None), "native_sum": native,
        "transactions": len(txs), "tokens": len(tokens), "failed": sorted(failed), "above_2^127": big,
        "token_sums": dict(tokens),
    }


def show(label, paths):
    f = figures(paths)
    print(f"== {label}")
    for key in ("transfers", "native_edges", "native_sum", "transactions", "tokens", "above_2^127"):
        print(f"  {key}: {f[key]}")
    print(f"  failed: {len(f['failed'])}")
    for token, total in sorted(f["token_sums"].items(), key=lambda kv: -kv[1])[:3]:
        print(f"  token {token}: {total}")


for directory in ("blocks_47218_47219", "block_483920", "blocks_17173049_17173050"):
    base = os.path.join(DATA, directory)
    show(directory, [os.path.join(base, n) for n in sorted(os.listdir(base)) if n.endswith(".csv") and n != "logs.csv"])
show("token_transfers_15320500_15320589.csv", [os.path.join(DATA, "token_transfers_15320500_15320589.csv")])
for name in sorted(os.listdir(os.path.join(DATA, "traces"))):
    show("traces/" + name, [os.path.join(DATA, "traces", name)])
