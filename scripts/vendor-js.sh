#!/usr/bin/env bash
# Vendor Apache ECharts into linkflow/report/static/vendor/.
#
# The report inlines echarts.min.js so that it opens from disk with no network; the version
# is pinned here so that a report's Content-Security-Policy hash and its look change only
# when this line does. Run from anywhere: `scripts/vendor-js.sh`, then commit the files.
set -euo pipefail

ECHARTS_VERSION="6.1.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/linkflow/report/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
tarball="$(npm pack --silent "echarts@${ECHARTS_VERSION}")"
tar -xzf "$tarball"

mkdir -p "$dest"
cp package/dist/echarts.min.js "$dest/echarts.min.js"
cp package/LICENSE "$dest/ECHARTS-LICENSE"
if [ -f package/NOTICE ]; then
    cp package/NOTICE "$dest/ECHARTS-NOTICE"
fi
printf '%s\n' "echarts ${ECHARTS_VERSION} (npm pack echarts@${ECHARTS_VERSION})" > "$dest/VERSIONS"

size="$(wc -c < "$dest/echarts.min.js")"
echo "vendored echarts ${ECHARTS_VERSION}: echarts.min.js ${size} bytes -> ${dest#"$root"/}"
