#!/usr/bin/env bash
# `npm test`: type-check and build, then every tier (unit, integration, e2e through the real Pulumi CLI).
# Run through scripts/toolchain.sh --pulumi (npm test does that), so Node >= 22 and pulumi are on PATH.
# Extra arguments go to jest, e.g. `npm test -- test/unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "test: node $(node --version), pulumi $(pulumi version)"
npx tsc -p tsconfig.json
mkdir -p .tmp
rc=0
npx jest --ci --json --outputFile=.tmp/jest-results.json "$@" || rc=$?
# A plain closing line that any CI reader understands.
node -e '
  const r = require("./.tmp/jest-results.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$rc"
