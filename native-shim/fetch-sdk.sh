#!/usr/bin/env bash
# Fetches the plug-in SDK headers the CLAP and VST3 front-ends compile against, from crates.io:
# the clap-wrapper crate carries the CLAP headers (MIT) and the VST3 SDK's pluginterfaces (MIT since
# VST3 3.8). Pinned by version and sha256; never committed. Cached in ~/.cache/pianola, unpacked into
# the folder given (native-shim/target/sdk).
#   fetch-sdk.sh DEST
set -euo pipefail
CRATE=clap-wrapper
VERSION=0.3.1
SHA256=bd1028157e0bb8ddb7b0f95269da629bb1b717e904752316ef7752b85c4bde82
URL="https://static.crates.io/crates/$CRATE/$VERSION/download"
DEST="${1:?usage: fetch-sdk.sh DEST}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pianola"
FILE="$CACHE/$CRATE-$VERSION.crate"

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$SHA256" ]; }
if ! sha_ok "$FILE"; then
  mkdir -p "$CACHE"
  echo "fetch-sdk: downloading $CRATE $VERSION from crates.io (CLAP and VST3 headers)" >&2
  curl -fsSL --retry 3 -o "$FILE.tmp" "$URL" || { echo "fetch-sdk: cannot download $URL" >&2; exit 1; }
  mv "$FILE.tmp" "$FILE"
  sha_ok "$FILE" || { echo "fetch-sdk: $FILE does not have sha256 $SHA256; removed" >&2; rm -f "$FILE"; exit 1; }
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
tar -xzf "$FILE" -C "$tmp" "$CRATE-$VERSION/external/clap/include" "$CRATE-$VERSION/external/clap/LICENSE" \
  "$CRATE-$VERSION/external/vst3sdk/pluginterfaces" "$CRATE-$VERSION/external/vst3sdk/LICENSE.txt"
rm -rf "$DEST" && mkdir -p "$DEST"
mv "$tmp/$CRATE-$VERSION/external/clap" "$DEST/clap"
mv "$tmp/$CRATE-$VERSION/external/vst3sdk" "$DEST/vst3sdk"
echo "$CRATE $VERSION $SHA256" > "$DEST/VERSION"
