#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what the
# Python side needs, then checks formatting and lints, and runs the unit,
# doc, integration and CPython differential tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -s tests/requirements.txt ]; then
    python3 -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
fi
# The differential tests read CPython's own vectors from test.pickletester.
# Debian and Ubuntu ship it apart from python3; install it where we can.
if ! python3 -c "import test.pickletester" 2>/dev/null; then
    version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get install -y --no-install-recommends "libpython${version}-testsuite" >&2 || true
    fi
    python3 -c "import test.pickletester" 2>/dev/null || {
        echo "python3 lacks the 'test' package (test.pickletester); install python3's test suite" >&2
        exit 1
    }
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
cargo test --workspace --release
