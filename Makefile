# Spoor — the two commands that do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := liblmdb-dev libzstd-dev libedit-dev pkg-config tmux
DEMO_DIR ?= demo-data
DEMO_STORE := $(DEMO_DIR)/demo.spoor
DEMO_CSV := $(DEMO_DIR)/transfers-100k.csv
SPOOR := .build/release/spoor
OFAC_ETH := ../shared/data/ofac/sanctioned_addresses_ETH.txt

.PHONY: deps build release test fuzz demo bench bench-peers clean

## Install the Debian packages Spoor needs, only when one is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product spoor

## Build and run every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## The query fuzz tests again under 20 random seeds (each run: 100k queries, bounded in time).
fuzz: deps
	$(SWIFT) build --build-tests
	@set -o pipefail; for i in $$(seq 1 20); do seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); echo "seed $$seed"; \
	  SPOOR_FUZZ_SEED=$$seed $(SWIFT) test --skip-build --filter FuzzTests 2>&1 | tail -1 || exit 1; done

## Generate ~100k transfers with planted OFAC senders, ingest them, tag them, run the investigator recipes, draw the
## evidence linking one of the sanctioned address's second-hop receivers to the watchlist.
demo: release
	@mkdir -p $(DEMO_DIR)
	@rm -rf $(DEMO_STORE)
	$(SPOOR) generate transfers --count 100000 --seed 2026 --plant $(OFAC_ETH) --out $(DEMO_CSV)
	$(SPOOR) ingest $(DEMO_STORE) --format transfers-csv $(DEMO_CSV)
	$(SPOOR) tags import $(DEMO_STORE) $(OFAC_ETH) --tag ofac --source "OFAC SDN (ETH)"
	$(SPOOR) stats $(DEMO_STORE)
	@address=$$(grep -v '^#' $(OFAC_ETH) | head -1); \
	target=$$($(SPOOR) query $(DEMO_STORE) --format csv --param address=$$address \
	  "MATCH (s:Address {address: toLower(\$$address)})-[t1:TRANSFER]->(:Address)-[t2:TRANSFER]->(x:Address) \
	   WHERE t2.block > t1.block RETURN x.address ORDER BY x.address LIMIT 1" 2>/dev/null | sed -n 2p | tr -d '\r'); \
	for q in Queries/*.cypher; do \
	  echo; echo "== $$q"; grep -E '^//' $$q | sed 's,^// *,,'; \
	  $(SPOOR) query $(DEMO_STORE) -f $$q --param address=$$address --param target=$$target || exit 1; \
	done; \
	echo; echo "== spoor explain $$target --watchlist ofac --max-hops 2"; \
	$(SPOOR) explain $(DEMO_STORE) $$target --watchlist ofac --max-hops 2 --dot $(DEMO_DIR)/evidence.dot || exit 1; \
	if command -v dot >/dev/null; then dot -Tsvg -o $(DEMO_DIR)/evidence.svg $(DEMO_DIR)/evidence.dot && \
	  echo "evidence picture: $(DEMO_DIR)/evidence.svg"; else echo "evidence graph: $(DEMO_DIR)/evidence.dot"; fi
	@echo; echo "== Bitcoin: mainnet blocks 0-255 (real), clustered; where Satoshi's coins went in the first 256 blocks"
	@rm -rf $(DEMO_DIR)/btc.spoor
	$(SPOOR) ingest $(DEMO_DIR)/btc.spoor --format bitcoin-blk ../shared/data/bitcoin/blocks/mainnet_blk_0_to_255.dat
	$(SPOOR) cluster $(DEMO_DIR)/btc.spoor
	$(SPOOR) query $(DEMO_DIR)/btc.spoor "MATCH (a:Address {address: '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'})-[s:SENT]->(t:Transaction)-[p:PAID]->(b:Address) \
	  RETURN t.block, t.txid, s.value, b.address, p.value ORDER BY t.block, p.index"

## Benchmarks (ordo-one/benchmark), in their own package so that `make test` does not build them.
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-directory .benchmarkBaselines benchmark

## Spoor against Kùzu, DuckDB and igraph on the same generated transfers (Benchmarks/peers/peers.py): loads, latency,
## answers checked; writes Benchmarks/RESULTS.md and Benchmarks/peers/plots/*.png. The scaling run:
## make bench-peers PEERS_SIZES="1000000 2000000 5000000 10000000"
PEERS_SIZES ?= 1000000
PEERS_QUERIES ?=
PEERS_DIR ?= /tmp/spoor-peers
PEERS_VENV := Benchmarks/peers/.venv
bench-peers: release
	@test -x $(PEERS_VENV)/bin/python || { python3 -m venv $(PEERS_VENV) && \
	  $(PEERS_VENV)/bin/pip install -q -r Benchmarks/peers/requirements.txt; }
	@mkdir -p $(PEERS_DIR) Benchmarks/peers/results
	@set -eo pipefail; for n in $(PEERS_SIZES); do \
	  csv=$(PEERS_DIR)/transfers-$$n.csv; \
	  $(SPOOR) generate transfers --count $$n --seed 2026 --plant $(OFAC_ETH) --out $$csv.new 2>&1 | sed -n 1p; \
	  if cmp -s $$csv.new $$csv; then rm $$csv.new; else mv $$csv.new $$csv; fi; \
	  $(PEERS_VENV)/bin/python Benchmarks/peers/peers.py run --csv $$csv --spoor $(SPOOR) \
	    --work $(PEERS_DIR)/$$n --out Benchmarks/peers/results/$$n.json --queries "$(PEERS_QUERIES)"; \
	done
	$(PEERS_VENV)/bin/python Benchmarks/peers/peers.py report --results Benchmarks/peers/results \
	  --out Benchmarks/RESULTS.md --plots Benchmarks/peers/plots

clean:
	rm -rf .build $(DEMO_DIR)
