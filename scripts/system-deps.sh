#!/usr/bin/env bash
# Debian packages the test suite needs, installed when missing: Java 17 (the Spark engine is
# tested in local mode), Chromium (the report is tested in a real browser) and the real sites
# the real-site suite audits (Debian's HTML documentation of Python 3.11 and PostgreSQL 15,
# served by nginx on 127.0.0.1 from the tests themselves).
# Tests fail, never skip, when one of them is missing.
set -euo pipefail
packages=(chromium nginx python3.11-doc postgresql-doc-15 openjdk-17-jre-headless)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
((${#missing[@]})) || exit 0
if [ "$(id -u)" != 0 ]; then
  echo "the tests need these Debian packages: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} (Debian packages the tests use)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
