#!/usr/bin/env bash
# Build the one-folder Frontdesk distribution: dist/frontdesk/ with the embedded model and the
# signed sample bundle inside, plus dist/BUILD-REPORT.md and dist/SHA256SUMS.
#
#   build/build.sh                      sign the sample bundle with a fresh throwaway key
#   FRONTDESK_SIGNING_KEY=team.key build/build.sh    sign it with the content team's key
#
# PyInstaller's work folder is pyinstaller-work/ and its output dist/: build/ holds only sources.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/pyinstaller-work"
PAYLOAD="$WORK/payload"

./scripts/install build
. .venv/bin/activate

echo "1/4 Building and signing the sample bundle" >&2
rm -rf "$PAYLOAD" && mkdir -p "$PAYLOAD/bundle"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
bundle="$PAYLOAD/bundle/frontdesk-sample-1.fdkb"
frontdesk kb build knowledge/content -o "$bundle" --id frontdesk-sample --title "Sample guidance" --version 1
key="${FRONTDESK_SIGNING_KEY:-}"
if [ -z "$key" ]; then
  key="$WORK/keys/build.key"
  rm -rf "$WORK/keys" && mkdir -p "$WORK/keys"
  frontdesk kb keygen "$key"
fi
frontdesk kb sign "$bundle" --key "$key"
cp "${key%.key}.pub" "$PAYLOAD/bundle/trusted.pub" 2>/dev/null || cp "$key.pub" "$PAYLOAD/bundle/trusted.pub"

echo "2/4 Listing licences" >&2
python build/report.py licences > "$PAYLOAD/THIRD-PARTY-LICENCES.md"

echo "3/4 Running PyInstaller (a few minutes)" >&2
FRONTDESK_PAYLOAD="$PAYLOAD" pyinstaller build/frontdesk.spec --noconfirm --log-level WARN \
  --distpath "$ROOT/dist" --workpath "$WORK/pyi"

# Debug symbols: libpython alone carries 17 MB of them. Only these libraries are stripped; a blanket
# strip corrupts libraries that auditwheel patched (numpy's OpenBLAS then fails to load).
for lib in dist/frontdesk/_internal/libpython3*.so.* \
           dist/frontdesk/_internal/cryptography/hazmat/bindings/_rust.abi3.so \
           dist/frontdesk/_internal/selectolax/lexbor.*.so dist/frontdesk/_internal/yaml/_yaml.*.so; do
  [ -f "$lib" ] && [ ! -L "$lib" ] && strip --strip-unneeded "$lib"
done

echo "4/4 Writing the build report" >&2
python build/report.py report dist/frontdesk > dist/BUILD-REPORT.md
(cd dist && find frontdesk -type f -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "Built dist/frontdesk ($(du -sh dist/frontdesk | cut -f1)). Report: dist/BUILD-REPORT.md" >&2
