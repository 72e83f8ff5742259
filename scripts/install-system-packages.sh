#!/usr/bin/env bash
# Installs the three C libraries the watcher links (libjpeg-turbo, libcurl,
# libmosquitto) from Debian/Ubuntu packages, only if their headers are missing;
# and, unless --build-only, what the tests run: systemd-analyze, with which a test
# checks deploy/systemd's unit (present wherever systemd runs; minimal containers
# lack it), the Mosquitto broker and its command-line clients, openssl, with
# which the MQTT tests make a test CA, and moto's S3 server (PyPI: moto[server]),
# against which the tests check state in S3. The engine and the tinygraph command
# need none of them.
set -euo pipefail
missing=()
[ -f /usr/include/jpeglib.h ] || missing+=(libjpeg62-turbo-dev)
[ -f /usr/include/curl/curl.h ] || ls /usr/include/*/curl/curl.h >/dev/null 2>&1 || missing+=(libcurl4-openssl-dev)
[ -f /usr/include/mosquitto.h ] || missing+=(libmosquitto-dev)
if [ "${1:-}" != --build-only ]; then
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
  [ -x /usr/bin/mosquitto_sub ] || missing+=(mosquitto-clients)
  command -v openssl >/dev/null || missing+=(openssl)
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
# The tests start their own brokers; Debian's package also starts a system one: stop what we started.
if [[ " ${missing[*]} " == *" mosquitto "* ]] && command -v systemctl >/dev/null \
    && systemctl is-enabled --quiet mosquitto 2>/dev/null; then
  echo "disabling the mosquitto service the package started (the tests run their own brokers)" >&2
  $sudo systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi
