#!/usr/bin/env bash
# `npm start`: build, then run the main job (scripts/start.ts) with the toolchain's Node and Pulumi CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
exec node dist/scripts/start.js "$@"
