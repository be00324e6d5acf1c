#!/usr/bin/env bash
# The Debian packages beyond Python's, installed with apt-get (from Debian's own archive) when missing:
#   always: a Chinese font and pango, which the yearly report's PDF is laid out with (WeasyPrint);
#   with --tests also: chromium for the browser tests and poppler-utils, which the tests read the PDFs back with.
# `make setup` runs it without --tests (and goes on with a warning when it cannot install), scripts/run-tests.sh
# with --tests (and stops).
set -euo pipefail
tests=${1:-}
missing=()
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || missing+=(fonts-wqy-microhei)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)  # /sbin: not on a user's PATH
if [ "$tests" = "--tests" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null || [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]} (Debian names). This machine cannot install them here (no apt-get," \
       "or not root): install them, or your system's equivalents (a CJK font such as Noto Sans CJK, pango," \
       "chromium, poppler), by hand. Without the font and pango the yearly report's PDF cannot be made." >&2
  [ "$tests" = "--tests" ] && exit 1 || exit 0
fi
echo "== installing ${missing[*]}"
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
