#!/usr/bin/env bash
# `npm run bench`: build, then the engine-floor comparison (bench/run.ts). Not part of npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
exec node dist/bench/run.js "$@"
