#!/usr/bin/env bash
# Regenerates docs/ (Terraform Registry layout) from the provider's live schema.
#
#   scripts/docs.sh            build the provider, write docs/
#   scripts/docs.sh --out DIR  write the pages to DIR instead (tests/docs.rs does this)
#
# Steps: cargo build the provider; in a temporary directory, write a Terraform CLI
# configuration whose dev_overrides point at the built binary (never ~/.terraformrc);
# run `terraform providers schema -json` there; feed that JSON, examples/ and
# templates/ to scripts/gendocs.py.
#
# Environment:
#   PANEL_PROVIDER_BINARY  use this already-built provider binary instead of building
#   TERRAFORM              the terraform executable (default: terraform on PATH, then the
#                          usual install locations; 1.11 or later; scripts/lib/terraform.sh)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/docs"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    -h | --help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "docs.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=lib/terraform.sh
source "$repo/scripts/lib/terraform.sh"
terraform="$(find_terraform)" || exit 1
command -v python3 >/dev/null || { echo "docs.sh: python3 is required" >&2; exit 1; }

binary="${PANEL_PROVIDER_BINARY:-}"
if [ -z "$binary" ]; then
  (cd "$repo" && cargo build --quiet --bin terraform-provider-panel)
  target_dir="${CARGO_TARGET_DIR:-$repo/target}"
  binary="$target_dir/debug/terraform-provider-panel"
fi
[ -x "$binary" ] || { echo "docs.sh: provider binary not found: $binary" >&2; exit 1; }
binary_dir="$(cd "$(dirname "$binary")" && pwd)"
[ "$(basename "$binary")" = terraform-provider-panel ] ||
  { echo "docs.sh: dev_overrides needs the binary named terraform-provider-panel: $binary" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/panel-docs.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/panelops/panel" = "$binary_dir"
  }
  direct {}
}
EOF
cat >"$work/main.tf" <<'EOF'
terraform {
  required_providers {
    panel = {
      source = "panelops/panel"
    }
  }
}
EOF

# dev_overrides print a warning on stderr; only a failure matters here.
if ! (cd "$work" && TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 \
  "$terraform" providers schema -json >"$work/schema.json" 2>"$work/terraform.err"); then
  cat "$work/terraform.err" >&2
  echo "docs.sh: terraform providers schema -json failed" >&2
  exit 1
fi

python3 "$repo/scripts/gendocs.py" --schema "$work/schema.json" \
  --examples "$repo/examples" --templates "$repo/templates" --out "$out"
