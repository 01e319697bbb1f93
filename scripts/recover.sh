#!/usr/bin/env bash
# `npm run recover -- [--stack dev] [--delete]`: kataven-recover (bin/kataven-recover.js) in the directory npm
# was started from, with the toolchain's pulumi and offline settings (scripts/toolchain.sh --pulumi).
set -euo pipefail
bin="$(cd "$(dirname "$0")/.." && pwd)/bin/kataven-recover.js"
cd "${INIT_CWD:-$PWD}"
exec node "$bin" "$@"
