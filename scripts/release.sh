#!/usr/bin/env bash
# Packages the provider the way the Terraform Registry and filesystem mirrors expect.
#
#   scripts/release.sh [VERSION]   (VERSION defaults to Cargo.toml's package version)
#
# Writes to dist/ (or $PANEL_DIST_DIR):
#   terraform-provider-panel_<VERSION>_<os>_<arch>.zip   holding terraform-provider-panel_v<VERSION>
#   terraform-provider-panel_<VERSION>_manifest.json     copy of terraform-registry-manifest.json
#   terraform-provider-panel_<VERSION>_SHA256SUMS        sha256 of the two files above
#   terraform-provider-panel_<VERSION>_SHA256SUMS.sig    only when PANEL_GPG_KEY names a gpg key
#
# The zip works as is in a `filesystem_mirror` with the packed layout:
#   <mirror>/registry.terraform.io/panelops/panel/terraform-provider-panel_<VERSION>_<os>_<arch>.zip
#
# Environment:
#   PANEL_PROVIDER_BINARY  package this already-built binary instead of `cargo build --release`
#   PANEL_DIST_DIR         output directory (default: dist/ in the repository)
#   PANEL_GPG_KEY          gpg key id to sign the SHA256SUMS file with (the Registry needs it)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name=terraform-provider-panel

cargo_version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
version="${1:-$cargo_version}"
version="${version#v}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release.sh: not a semantic version: '$version'" >&2
  exit 2
fi
if [ "$version" != "$cargo_version" ]; then
  echo "release.sh: warning: packaging $version but Cargo.toml says $cargo_version" >&2
fi

# Terraform's platform names (GOOS_GOARCH), not Rust's target triples.
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  FreeBSD) os=freebsd ;;
  *) echo "release.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  armv7l | armv6l) arch=arm ;;
  i386 | i686) arch=386 ;;
  *) echo "release.sh: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

binary="${PANEL_PROVIDER_BINARY:-}"
if [ -z "$binary" ]; then
  (cd "$repo" && cargo build --release --locked --bin "$name")
  binary="${CARGO_TARGET_DIR:-$repo/target}/release/$name"
fi
[ -x "$binary" ] || { echo "release.sh: provider binary not found: $binary" >&2; exit 1; }

dist="${PANEL_DIST_DIR:-$repo/dist}"
mkdir -p "$dist"
stage="$(mktemp -d "${TMPDIR:-/tmp}/panel-release.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

zip_name="${name}_${version}_${os}_${arch}.zip"
manifest_name="${name}_${version}_manifest.json"
sums_name="${name}_${version}_SHA256SUMS"

install -m 0755 "$binary" "$stage/${name}_v${version}"
rm -f "$dist/$zip_name"
# -X: no extra file attributes (uid/gid, times beyond the basic one), -j: no directories.
(cd "$stage" && zip -q -X -j "$dist/$zip_name" "${name}_v${version}")
cp "$repo/terraform-registry-manifest.json" "$dist/$manifest_name"
(cd "$dist" && sha256sum "$zip_name" "$manifest_name" >"$sums_name")

if [ -n "${PANEL_GPG_KEY:-}" ]; then
  rm -f "$dist/$sums_name.sig"
  gpg --batch --local-user "$PANEL_GPG_KEY" --detach-sign --output "$dist/$sums_name.sig" "$dist/$sums_name"
fi

echo "release.sh: packaged $name $version for ${os}_${arch} in $dist:" >&2
(cd "$dist" && ls -1 "$zip_name" "$manifest_name" "$sums_name" ${PANEL_GPG_KEY:+"$sums_name.sig"}) >&2
