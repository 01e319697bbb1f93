#!/usr/bin/env bash
# Debian packages the test suite uses: Chromium, for the browser test of Origin enforcement.
# Skipped when already installed; when it can't be installed (not root, no apt), the browser test says so
# loudly and skips itself, and everything else still runs.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: cannot install chromium here (needs root and apt-get); the browser test will be skipped" >&2
  exit 0
fi
echo "install-system-deps: installing chromium (Debian package) for the browser test" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
  echo "install-system-deps: installing chromium failed; the browser test will be skipped" >&2
fi
exit 0
