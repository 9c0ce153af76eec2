#!/usr/bin/env bash
# Packages the provider the way the Terraform Registry and filesystem mirrors expect,
# for every Registry platform this machine's toolchains can build.
#
#   scripts/release.sh [VERSION]   (VERSION defaults to Cargo.toml's package version)
#
# Writes to dist/ (or $PANEL_DIST_DIR):
#   terraform-provider-panel_<VERSION>_<os>_<arch>.zip   one per platform built, holding
#                                                        terraform-provider-panel_v<VERSION>
#   terraform-provider-panel_<VERSION>_manifest.json     copy of terraform-registry-manifest.json
#   terraform-provider-panel_<VERSION>_SHA256SUMS        sha256 of the files above, sorted by name
#   terraform-provider-panel_<VERSION>_SHA256SUMS.sig    only when PANEL_GPG_KEY names a gpg key
#
# Platforms (Terraform's GOOS_GOARCH names -> Rust targets):
#   linux_amd64   x86_64-unknown-linux-gnu     cargo-zigbuild, glibc 2.17 (any distribution
#   linux_arm64   aarch64-unknown-linux-gnu    since 2014); without zig only the host's own
#                                              platform, linked against the host's glibc
#   darwin_amd64  x86_64-apple-darwin          cargo-zigbuild + a macOS SDK in SDKROOT (the
#   darwin_arm64  aarch64-apple-darwin         TLS verifier links Apple's Security framework)
#   windows_amd64, windows_arm64               not built: the plugin server is unix-only so far
#                                              (unix socket, unix signals)
# A platform that cannot be built is skipped with the reason; the script fails only when
# it builds nothing. Cross toolchain: `pip install ziglang cargo-zigbuild` (PyPI) and
# `rustup target add <target>`.
#
# The zips are reproducible: fixed entry time (SOURCE_DATE_EPOCH, default: the last
# commit's time), mode 0755, no extra attributes, UTC. Two runs on the same binaries give
# the same SHA256SUMS.
#
# Environment:
#   PANEL_PLATFORMS        platforms to build, e.g. "linux_amd64 linux_arm64" (default: all)
#   PANEL_PROVIDER_BINARY  package this already-built binary for the host platform only
#   PANEL_DIST_DIR         output directory (default: dist/ in the repository)
#   PANEL_GPG_KEY          gpg key id to sign the SHA256SUMS file with (the Registry needs it)
#   SOURCE_DATE_EPOCH      the time stamped on the zip entries
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name=terraform-provider-panel
registry_platforms=(linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 windows_arm64)

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

# The host, in Terraform's platform names (GOOS_GOARCH), not Rust's target triples.
host_platform() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    FreeBSD) os=freebsd ;;
    *) os="$(uname -s | tr '[:upper:]' '[:lower:]')" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    armv7l | armv6l) arch=arm ;;
    i386 | i686) arch=386 ;;
    *) arch="$(uname -m)" ;;
  esac
  echo "${os}_${arch}"
}
host="$(host_platform)"

rust_target() {
  case "$1" in
    linux_amd64) echo x86_64-unknown-linux-gnu ;;
    linux_arm64) echo aarch64-unknown-linux-gnu ;;
    darwin_amd64) echo x86_64-apple-darwin ;;
    darwin_arm64) echo aarch64-apple-darwin ;;
    windows_amd64) echo x86_64-pc-windows-gnu ;;
    windows_arm64) echo aarch64-pc-windows-gnullvm ;;
    *) return 1 ;;
  esac
}

target_dir="${CARGO_TARGET_DIR:-$repo/target}"
have_zigbuild() { command -v cargo-zigbuild >/dev/null 2>&1 && cargo-zigbuild --help >/dev/null 2>&1; }

# The standard library for a target: installed, or added with rustup when it can fetch.
have_std() {
  local target="$1" libdir
  libdir="$(rustc --print target-libdir --target "$target" 2>/dev/null || true)"
  if [ -n "$libdir" ] && compgen -G "$libdir/libstd-*.rlib" >/dev/null; then
    return 0
  fi
  command -v rustup >/dev/null 2>&1 && rustup target add "$target" >/dev/null 2>&1
}

skipped=()
skip() { skipped+=("$1: $2"); echo "release.sh: skipping $1: $2" >&2; }

# Builds the provider for one platform and sets $binary to its path; returns 1 (after
# recording why) when this machine cannot build it.
build_platform() {
  local platform="$1" target
  binary=""
  if [ -n "${PANEL_PROVIDER_BINARY:-}" ]; then
    if [ "$platform" != "$host" ]; then
      skip "$platform" "PANEL_PROVIDER_BINARY packages the host platform ($host) only"
      return 1
    fi
    binary="$PANEL_PROVIDER_BINARY"
    return 0
  fi
  target="$(rust_target "$platform")" || { skip "$platform" "not a Terraform Registry platform this script knows"; return 1; }
  case "$platform" in
    windows_*)
      skip "$platform" "the plugin server is unix-only (unix socket listener, SIGTERM/SIGINT handling); Windows needs a TCP listener and console control handling first"
      return 1
      ;;
    darwin_*)
      if ! have_zigbuild; then
        skip "$platform" "needs cargo-zigbuild and zig (pip install ziglang cargo-zigbuild)"
        return 1
      fi
      if [ -z "${SDKROOT:-}" ]; then
        skip "$platform" "needs a macOS SDK in SDKROOT: the TLS verifier (rustls-platform-verifier) links Apple's Security and CoreFoundation frameworks, which zig does not ship"
        return 1
      fi
      ;;
  esac
  if ! have_std "$target"; then
    skip "$platform" "the Rust standard library for $target is not installed and rustup cannot fetch it (rustup target add $target)"
    return 1
  fi
  if have_zigbuild; then
    # Linux binaries are linked against glibc 2.17, so they run on any distribution
    # since 2014, not only on ones as new as the build machine.
    local zig_target="$target"
    case "$platform" in linux_*) zig_target="$target.2.17" ;; esac
    echo "release.sh: building $platform ($zig_target, cargo zigbuild)" >&2
    (cd "$repo" && cargo zigbuild --release --locked --bin "$name" --target "$zig_target" >&2)
  elif [ "$platform" = "$host" ]; then
    echo "release.sh: building $platform (host toolchain; the binary needs this machine's glibc or newer)" >&2
    (cd "$repo" && cargo build --release --locked --bin "$name" --target "$target" >&2)
  else
    skip "$platform" "cross-building needs cargo-zigbuild and zig (pip install ziglang cargo-zigbuild)"
    return 1
  fi
  binary="$target_dir/$target/release/$name"
}

if [ -n "${PANEL_PLATFORMS:-}" ]; then
  read -r -a platforms <<<"$PANEL_PLATFORMS"
elif [ -n "${PANEL_PROVIDER_BINARY:-}" ]; then
  platforms=("$host")
else
  platforms=("${registry_platforms[@]}")
fi

dist="${PANEL_DIST_DIR:-$repo/dist}"
mkdir -p "$dist"
stage="$(mktemp -d "${TMPDIR:-/tmp}/panel-release.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

# Reproducible archives: one fixed time for every entry, in UTC (zip stores local time).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH="$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 315532800)"
fi
export TZ=UTC

manifest_name="${name}_${version}_manifest.json"
sums_name="${name}_${version}_SHA256SUMS"
built=()
for platform in "${platforms[@]}"; do
  build_platform "$platform" || continue
  [ -x "$binary" ] || { echo "release.sh: provider binary not found: $binary" >&2; exit 1; }
  zip_name="${name}_${version}_${platform}.zip"
  entry="${name}_v${version}"
  rm -rf "${stage:?}/$platform"
  mkdir -p "$stage/$platform"
  install -m 0755 "$binary" "$stage/$platform/$entry"
  touch -d "@$SOURCE_DATE_EPOCH" "$stage/$platform/$entry"
  rm -f "$dist/$zip_name"
  # -X: no extra attributes (uid/gid, extended times); -j: no directories; -D: no
  # directory entries. The entry keeps its fixed time and mode 0755.
  (cd "$stage/$platform" && zip -q -X -D -j "$dist/$zip_name" "$entry")
  built+=("$zip_name")
done

if [ "${#built[@]}" -eq 0 ]; then
  echo "release.sh: no platform could be built" >&2
  exit 1
fi

cp "$repo/terraform-registry-manifest.json" "$dist/$manifest_name"
# Sorted by name (LC_ALL=C), one line per file: the same inputs give the same file.
(cd "$dist" && printf '%s\n' "${built[@]}" "$manifest_name" | LC_ALL=C sort | xargs sha256sum >"$sums_name")

if [ -n "${PANEL_GPG_KEY:-}" ]; then
  rm -f "$dist/$sums_name.sig"
  gpg --batch --local-user "$PANEL_GPG_KEY" --detach-sign --output "$dist/$sums_name.sig" "$dist/$sums_name"
fi

echo "release.sh: packaged $name $version in $dist:" >&2
(cd "$dist" && ls -1 "${built[@]}" "$manifest_name" "$sums_name" ${PANEL_GPG_KEY:+"$sums_name.sig"}) >&2
if [ "${#skipped[@]}" -gt 0 ]; then
  echo "release.sh: skipped ${#skipped[@]} platform(s):" >&2
  printf '  %s\n' "${skipped[@]}" >&2
fi
