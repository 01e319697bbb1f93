#!/usr/bin/env bash
# `npm run lint`: ESLint (eslint.config.mjs; any warning fails) and Prettier's format check (.prettierrc).
# `npx prettier --write .` formats the tree; `npx eslint --fix .` fixes what ESLint can.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
rc=0
npx eslint --max-warnings 0 --cache --cache-location .tmp/eslintcache . || rc=$?
npx prettier --check --log-level warn . || { rc=$?; echo "lint: run 'npx prettier --write .' to format the files above" >&2; }
if [ "$rc" = 0 ]; then echo "lint: eslint 0 problems, prettier clean"; fi
exit "$rc"
