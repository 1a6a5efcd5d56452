#!/usr/bin/env bash
# Test-machine extras the Python venv cannot carry: Debian's Chromium (browser tests) and a CJK font
# (matplotlib glyphs). Installs them when missing and possible (root + apt); otherwise says so, and
# the browser tests report themselves as not runnable instead of passing silently.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/tmp/claimaudit-apt.log 2>&1 \
    || echo "setup: could not install ${need[*]} (see /tmp/claimaudit-apt.log)"
else
  echo "setup: ${need[*]} missing and cannot be installed here (not root or no apt-get)"
fi
exit 0
