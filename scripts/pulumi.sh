#!/usr/bin/env bash
# `npm run pulumi -- <args>`: the toolchain's plain Pulumi CLI (with the genuine Node.js language host beside
# it) and the project's offline settings, run in the directory you called npm from. Nothing else: every flag
# reaches the CLI as you typed it. Run through scripts/toolchain.sh --pulumi (npm run pulumi does that).
set -euo pipefail
# npm runs scripts in the package root and records where it was called from in INIT_CWD, so
# `cd examples/quickstart && npm run pulumi -- up` acts on examples/quickstart.
cd "${INIT_CWD:-$PWD}"
exec pulumi "$@"
