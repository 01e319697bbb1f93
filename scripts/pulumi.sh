#!/usr/bin/env bash
# `npm run pulumi -- <args>`: the toolchain's plain Pulumi CLI (with the genuine Node.js language host beside
# it) and the project's offline settings, run in the directory you called npm from. Every flag reaches the
# CLI as you typed it. Run through scripts/toolchain.sh --pulumi (npm run pulumi does that).
#
# One addition: in the repository root, a command that reaches the provider on npm start's demo stack
# (`--stack dev`) runs through scripts/withDemoServer.ts, which serves npm start's local server data for the
# length of the command and hands the CLI an API key in its environment (npm start stops its server).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/lib/demoCommand.sh"
# npm runs scripts in the package root and records where it was called from in INIT_CWD, so
# `cd examples/quickstart && npm run pulumi -- up` acts on examples/quickstart.
cd "${INIT_CWD:-$PWD}"
if kataven_demo_command --needs-command "$@"; then exec node "$repo/dist/scripts/withDemoServer.js" pulumi "$@"; fi
exec pulumi "$@"
