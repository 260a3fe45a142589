#!/usr/bin/env bash
# Render an sgdyn HTML report to a PNG with headless Chromium, to look at it as a reader would.
#
#   scripts/render-report.sh REPORT.html OUT.png [WIDTH] [HEIGHT]
#
# Needs Debian's chromium (apt-get install -y chromium). The report has no scripts and loads nothing
# from the network, so the screenshot shows exactly the file.
set -euo pipefail
if [ "$#" -lt 2 ]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTH] [HEIGHT]" >&2
    exit 64
fi
report="$1"
out="$2"
width="${3:-1200}"
height="${4:-4000}"
if [ ! -f "$report" ]; then
    echo "$0: no file at '$report'" >&2
    exit 64
fi
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
    echo "$0: chromium not found; install it with 'apt-get install -y chromium'" >&2
    exit 1
fi
abs_report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
abs_out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$abs_out" \
    --window-size="$width,$height" "file://$abs_report" >/dev/null 2>&1
if [ ! -s "$abs_out" ]; then
    echo "$0: chromium wrote no screenshot" >&2
    exit 1
fi
echo "$abs_out"
