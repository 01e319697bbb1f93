#!/usr/bin/env bash
# Debian packages the test suite uses: Chromium, for the browser test of Origin enforcement, and curl, which
# the example READMEs use (the doc e2e runs them). Skipped when already installed; when they can't be
# installed (not root, no apt), the browser test says so loudly and skips itself, and everything else runs.
set -uo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: cannot install ${missing[*]} here (needs root and apt-get); the browser test will be skipped without chromium" >&2
  exit 0
fi
echo "install-system-deps: installing ${missing[*]} (Debian packages) for the browser test and the doc e2e" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  echo "install-system-deps: installing ${missing[*]} failed; the browser test will be skipped without chromium" >&2
fi
exit 0
