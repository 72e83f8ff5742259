#!/usr/bin/env bash
# Builds the self-contained watcher bundle and the two serverless packages:
#   scripts/bundle.sh [LEVEL]     LEVEL as for build-release.sh; default x86-64-v3 on x86_64
#                                 (what Lambda and Azure Functions promise), nothing to choose on arm64
# writes, for this machine's architecture ARCH:
#   dist/watcher-linux-ARCH.tar.gz        one folder: runs on any Linux of ARCH with nothing installed
#   dist/watcher-lambda-ARCH.zip          AWS Lambda custom runtime (provided.al2023): bootstrap at the root
#   dist/azure-functions/                 Azure Functions custom handler app (host.json, check/function.json)
#   dist/watcher-azure-functions-ARCH.zip the same, zipped for run-from-package
# The folder holds the static-runtime release `watcher` (lib/watcher.bin), exactly the shared
# objects `ldd` lists for it and the loader they were built with (lib/), Debian's CA certificates
# (certs/), the libraries' copyright files (licenses/), and `watcher`: a static launcher
# (scripts/bundle/launcher.c) that starts lib/watcher.bin through the bundled loader, so neither
# the host's C library nor its lack matters. Needs gcc with the static C library (libc6-dev), zip.
set -euo pipefail
cd "$(dirname "$0")/.."
arch="$(uname -m)"
level="${1:-}"
if [ -z "$level" ]; then
  if [ "$arch" = x86_64 ]; then level=x86-64-v3; else level=native; fi
fi
for tool in gcc zip ldd tar dpkg-query; do
  command -v "$tool" > /dev/null || { echo "bundle.sh: needs $tool (apt-get install gcc libc6-dev zip)" >&2; exit 1; }
done

release="$(scripts/build-release.sh "$level" --product watcher)"
binary="$release/watcher"
[ -x "$binary" ] || { echo "bundle.sh: no $binary after the build" >&2; exit 1; }

name="watcher-linux-$arch"
stage="$(mktemp -d "${TMPDIR:-/tmp}/watcher-bundle.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/lib" "$root/certs" "$root/licenses"
install -m 755 "$binary" "$root/lib/watcher.bin"
# Symbols and debug information are half its size and nothing a host needs.
strip "$root/lib/watcher.bin"
package_of() { dpkg-query -S "$1" 2>/dev/null | head -1 | cut -d: -f1 || true; }

# Exactly what the dynamic loader resolves for this binary, under the names it asks for.
loader=""
packages=()
while read -r line; do
  case "$line" in
    *"not found"*) echo "bundle.sh: ldd: $line" >&2; exit 1 ;;
    *" => /"*)
      soname="${line%% =>*}"
      path="${line#*=> }"; path="${path%% (*}"
      install -m 644 "$(readlink -f "$path")" "$root/lib/$soname"
      packages+=("$(package_of "$path")" "$(package_of "$(readlink -f "$path")")")
      ;;
    /*ld-linux*)
      path="${line%% (*}"
      loader="$(basename "$path")"
      install -m 755 "$(readlink -f "$path")" "$root/lib/$loader"
      packages+=("$(package_of "$path")" "$(package_of "$(readlink -f "$path")")")
      ;;
  esac
done < <(ldd "$binary")
[ -n "$loader" ] || { echo "bundle.sh: ldd named no loader for $binary" >&2; exit 1; }

gcc -static -Os -Wall -Werror -DLOADER_NAME="\"$loader\"" -o "$root/watcher" scripts/bundle/launcher.c
strip "$root/watcher"
install -m 644 /etc/ssl/certs/ca-certificates.crt "$root/certs/ca-certificates.crt"
for package in $(printf '%s\n' "${packages[@]}" ca-certificates | sort -u); do
  [ -n "$package" ] && [ -f "/usr/share/doc/$package/copyright" ] && cp "/usr/share/doc/$package/copyright" "$root/licenses/$package"
done
cat > "$root/README.txt" <<TEXT
watcher $("$root/watcher" --version) for Linux $arch ($level), self-contained: run ./watcher (see ./watcher --help).
lib/ holds the program (watcher.bin), the shared libraries it needs and their loader; ./watcher
starts it with them, so nothing needs to be installed. certs/ is Debian's CA store, used when the
host has none. licenses/ holds the libraries' copyright files. Serverless: docs/serverless.md.
TEXT

mkdir -p dist
# The plain bundle.
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "dist/$name.tar.gz.tmp" "$name"
mv "dist/$name.tar.gz.tmp" "dist/$name.tar.gz"

# AWS Lambda: the launcher is the runtime's bootstrap, at the zip's root.
lambda="$stage/lambda"
cp -a "$root" "$lambda"
mv "$lambda/watcher" "$lambda/bootstrap"
rm -f "dist/watcher-lambda-$arch.zip"
(cd "$lambda" && zip -qrX9 "$OLDPWD/dist/watcher-lambda-$arch.zip" .)

# Azure Functions: host.json names the launcher; one timer function, every 5 minutes.
functions="$stage/azure-functions"
cp -a "$root" "$functions"
mkdir -p "$functions/check"
cat > "$functions/host.json" <<'JSON'
{
  "version": "2.0",
  "customHandler": {
    "description": { "defaultExecutablePath": "watcher", "workingDirectory": "", "arguments": ["functions"] },
    "enableForwardingHttpRequest": false
  },
  "functionTimeout": "00:05:00",
  "extensionBundle": { "id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)" }
}
JSON
cat > "$functions/check/function.json" <<'JSON'
{
  "bindings": [
    { "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 */5 * * * *" }
  ]
}
JSON
rm -rf dist/azure-functions "dist/watcher-azure-functions-$arch.zip"
cp -a "$functions" dist/azure-functions
(cd "$functions" && zip -qrX9 "$OLDPWD/dist/watcher-azure-functions-$arch.zip" .)

for file in "dist/$name.tar.gz" "dist/watcher-lambda-$arch.zip" "dist/watcher-azure-functions-$arch.zip"; do
  echo "$file: $(du -k "$file" | cut -f1) KiB compressed"
done
echo "unpacked: $(du -sk "$root" | cut -f1) KiB ($(ls "$root/lib" | wc -l) files in lib/)"
