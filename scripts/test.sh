#!/usr/bin/env bash
# `npm test`: every tier (unit, integration, e2e through the real Pulumi CLI and its Node.js language host).
# Run through scripts/toolchain.sh --pulumi --build (npm test does that): Node >= 22.18, pulumi and
# pulumi-language-nodejs on PATH, and the project type-checked and built into dist/.
# Extra arguments go to jest, e.g. `npm test -- test/unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "test: node $(node --version), pulumi $(pulumi version), $(command -v pulumi-language-nodejs)"
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
