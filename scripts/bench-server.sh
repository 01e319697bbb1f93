#!/usr/bin/env bash
# `npm run bench:server`: build, then load the local server with autocannon (bench/server.ts). Not part of npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
exec node dist/bench/server.js "$@"
