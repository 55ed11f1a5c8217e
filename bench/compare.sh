#!/usr/bin/env bash
# Builds pypickle and the serde-pickle bench crate, writes the benchmark
# datasets if they are missing, and prints the side-by-side table.
# A few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p pypickle-cli
cargo build --release --manifest-path bench/serde-pickle-bench/Cargo.toml
[ -f bench/data/graph.p5.pkl ] || python3 bench/gen_data.py --out bench/data
python3 bench/compare.py
