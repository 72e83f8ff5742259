#!/usr/bin/env bash
# Installs the two C libraries the watcher links (libjpeg-turbo, libcurl) from
# Debian/Ubuntu packages, only if their headers are missing; and, unless
# --build-only, systemd-analyze, with which a test checks deploy/systemd's unit
# (present wherever systemd runs; minimal containers lack it), and moto's S3 server
# (PyPI: moto[server]), against which the tests check state in S3. The engine and
# the tinygraph command need none of them.
set -euo pipefail
missing=()
[ -f /usr/include/jpeglib.h ] || missing+=(libjpeg62-turbo-dev)
[ -f /usr/include/curl/curl.h ] || ls /usr/include/*/curl/curl.h >/dev/null 2>&1 || missing+=(libcurl4-openssl-dev)
if [ "${1:-}" != --build-only ]; then
  command -v systemd-analyze >/dev/null || missing+=(systemd)
fi
if [ "${1:-}" != --build-only ] && ! python3 -c 'import moto.server, flask' 2>/dev/null; then
  echo "installing moto[server]==5.2.1 (pip)" >&2
  python3 -m pip install -q 'moto[server]==5.2.1' || python3 -m pip install -q --break-system-packages 'moto[server]==5.2.1'
fi
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
echo "installing ${missing[*]} (apt-get)" >&2
$sudo apt-get update -qq
# Ubuntu calls libjpeg-turbo's headers libjpeg-turbo8-dev; libjpeg-dev picks the right one on both.
if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    libjpeg-dev libcurl4-openssl-dev "${missing[@]/libjpeg62-turbo-dev/libjpeg-dev}" >/dev/null
fi
