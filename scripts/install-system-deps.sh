#!/usr/bin/env bash
# Debian packages the test suite uses: Chromium, for the browser test of Origin enforcement; curl, which the
# example READMEs use (the doc e2e runs them); PostgreSQL, a state backend of the team-backend e2e (it starts
# its own server with initdb/pg_ctl; the package's own cluster is not used). Skipped when already installed;
# when they can't be installed (not root, no apt), the tests that need them say so loudly and skip
# themselves, and everything else runs.
set -uo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v curl >/dev/null 2>&1 || missing+=(curl)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: cannot install ${missing[*]} here (needs root and apt-get); the tests that need them will be skipped" >&2
  exit 0
fi
echo "install-system-deps: installing ${missing[*]} (Debian packages) for the browser, doc and team-backend tests" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  echo "install-system-deps: installing ${missing[*]} failed; the tests that need them will be skipped" >&2
fi
exit 0
