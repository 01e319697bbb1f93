#!/usr/bin/env bash
# `npm test`: every tier (unit, integration, e2e through the real Pulumi CLI and its Node.js language host).
# Run through scripts/toolchain.sh --pulumi --build (npm test does that): Node >= 22.18, pulumi and
# pulumi-language-nodejs on PATH, and the project type-checked and built into dist/.
# Lint (scripts/lint.sh) runs first on a full run; its failure fails the run, after the tests have run too.
# Extra arguments go to jest, e.g. `npm test -- test/unit` (lint is then skipped: `npm run lint` runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "test: node $(node --version), pulumi $(pulumi version), $(command -v pulumi-language-nodejs)"
mkdir -p .tmp
rc=0
lint=skipped
if [ $# -eq 0 ]; then
  if bash scripts/lint.sh; then lint=passed; else lint=failed rc=1; fi
fi
npx jest --ci --json --outputFile=.tmp/jest-results.json "$@" || rc=$?
# A plain closing line that any CI reader understands.
node -e '
  const r = require("./.tmp/jest-results.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
echo "lint: $lint"
exit "$rc"
