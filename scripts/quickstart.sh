#!/usr/bin/env bash
# The quickstart: a user, a domain and a database on a simulated panel, with Terraform.
#
#   scripts/quickstart.sh            build, start the simulator, terraform init + apply
#   scripts/quickstart.sh destroy    terraform destroy, stop the simulator, clean up
#   scripts/quickstart.sh dir        print the quickstart's directory
#
# What `up` does, step by step:
#   1. cargo build --release the provider and panel-sim;
#   2. starts `panel-sim $PANEL` in the background (state saved in $QUICKSTART_DIR, so it
#      can be restarted) and reads its ready line (address and admin credentials);
#   3. installs the provider in a filesystem mirror (unpacked layout) in $QUICKSTART_DIR
#      and writes a Terraform CLI configuration there that uses it; your ~/.terraformrc is
#      never read or written (TF_CLI_CONFIG_FILE points at the new file);
#   4. writes $QUICKSTART_DIR/env.sh with TF_CLI_CONFIG_FILE and the PANEL_* variables
#      the provider reads, copies examples/quickstart/ to $QUICKSTART_DIR/work and runs
#      `terraform init` and `terraform apply -auto-approve` there;
#   5. prints the outputs and how to look around and destroy.
# Running it again re-applies (nothing changes) on the same simulator.
#
# Environment:
#   PANEL           hestia (default), plesk or panelalpha: which simulator to start
#   PLESK_API       rest (default) or xml: which Plesk API the provider uses
#   QUICKSTART_DIR  where everything goes (default: .quickstart/ in this checkout, so two
#                   checkouts never share a simulator or a state)
#   PANEL_BIN_DIR   a directory already holding both binaries: skip the build
#   TERRAFORM       the terraform executable (default: terraform on PATH, then the usual
#                   install locations; 1.11 or later; see scripts/lib/terraform.sh)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
qs="${QUICKSTART_DIR:-$repo/.quickstart}"
# shellcheck source=lib/terraform.sh
source "$repo/scripts/lib/terraform.sh"
action="${1:-up}"

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

sim_alive() { [ -f "$qs/sim.pid" ] && kill -0 "$(cat "$qs/sim.pid")" 2>/dev/null; }

# Starts panel-sim in the background and waits for its ready line. $1: the panel;
# $2 (optional): the address to listen on, to come back on the same port.
start_sim() {
  local panel="$1" listen="${2:-127.0.0.1:0}"
  : >"$qs/sim.ready"
  # Own stdio, so this script (and whoever captures its output) need not wait for it.
  nohup "$bin/panel-sim" "$panel" --listen "$listen" --state "$qs/sim-state.json" \
    </dev/null >"$qs/sim.ready" 2>"$qs/sim.log" &
  echo $! >"$qs/sim.pid"
  local waited=0
  until grep -q '}' "$qs/sim.ready" 2>/dev/null; do
    sim_alive || { cat "$qs/sim.log" >&2; die "panel-sim $panel exited before it was ready"; }
    [ "$waited" -lt 300 ] || die "panel-sim $panel printed no ready line within 30 s (log: $qs/sim.log)"
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Turns the ready line into env.sh: the CLI configuration and the PANEL_* variables.
write_env() {
  python3 - "$qs/sim.ready" "$PANEL" "${PLESK_API:-rest}" "$qs" >"$qs/env.sh" <<'PY'
import json, shlex, sys
ready_path, panel, plesk_api, qs = sys.argv[1:5]
with open(ready_path) as handle:
    ready = json.loads(handle.readline())
creds = ready["credentials"]
if panel == "hestia":
    env = {"PANEL_TYPE": "hestia", "PANEL_ACCESS_KEY": creds["access_key"],
           "PANEL_SECRET_KEY": creds["secret_key"]}
elif panel == "plesk" and plesk_api == "xml":
    env = {"PANEL_TYPE": "plesk_xml", "PANEL_SECRET_KEY": creds["secret_key"]}
elif panel == "plesk":
    env = {"PANEL_TYPE": "plesk_rest", "PANEL_API_KEY": creds["api_key"]}
else:
    env = {"PANEL_TYPE": "panelalpha", "PANEL_TOKEN": creds["token"]}
env["PANEL_ENDPOINT"] = ready["base_url"]
if ready.get("ca_cert_pem_path"):
    with open(ready["ca_cert_pem_path"]) as handle:
        env["PANEL_CA_CERT_PEM"] = handle.read()
env["TF_VAR_panel_type"] = env["PANEL_TYPE"]
env["TF_CLI_CONFIG_FILE"] = qs + "/terraformrc"
env["QUICKSTART_PANEL"] = panel
print("# Written by scripts/quickstart.sh: `source` it to run terraform in %s/work." % qs)
for name, value in env.items():
    print("export %s=%s" % (name, shlex.quote(value)))
PY
  chmod 600 "$qs/env.sh"
}

# The address the simulator listened on last time (so a restart keeps PANEL_ENDPOINT).
previous_listen() {
  sed -n "s|^export PANEL_ENDPOINT='\{0,1\}https\{0,1\}://\([^/']*\)'\{0,1\}$|\1|p" "$qs/env.sh"
}

find_binaries() {
  if [ -n "${PANEL_BIN_DIR:-}" ]; then
    bin="$PANEL_BIN_DIR"
  else
    say "Building the provider and the simulator (cargo build --release)"
    (cd "$repo" && cargo build --release --bin terraform-provider-panel --bin panel-sim)
    bin="${CARGO_TARGET_DIR:-$repo/target}/release"
  fi
  [ -x "$bin/terraform-provider-panel" ] && [ -x "$bin/panel-sim" ] ||
    die "terraform-provider-panel and panel-sim not found in $bin"
}

ensure_sim() {
  if sim_alive; then
    return
  fi
  say "Starting panel-sim $PANEL"
  local listen=""
  [ -f "$qs/env.sh" ] && listen="$(previous_listen)"
  start_sim "$PANEL" "$listen"
  write_env
}

up() {
  PANEL="${PANEL:-hestia}"
  case "$PANEL" in hestia | plesk | panelalpha) ;; *) die "PANEL must be hestia, plesk or panelalpha, not '$PANEL'" ;; esac
  if [ -f "$qs/env.sh" ]; then
    local running
    running="$(sed -n "s/^export QUICKSTART_PANEL=//p" "$qs/env.sh")"
    [ "$running" = "$PANEL" ] ||
      die "$qs holds a quickstart on $running; run 'scripts/quickstart.sh destroy' first"
  fi
  find_binaries
  mkdir -p "$qs/work"
  ensure_sim

  say "Installing the provider in a filesystem mirror in $qs"
  local version os arch platform
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  case "$(uname -m)" in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  platform="$qs/mirror/registry.terraform.io/panelops/panel/$version/${os}_${arch}"
  rm -rf "$qs/mirror"
  mkdir -p "$platform"
  cp "$bin/terraform-provider-panel" "$platform/terraform-provider-panel_v$version"
  cat >"$qs/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$qs/mirror"
    include = ["registry.terraform.io/panelops/panel"]
  }
  direct {
    exclude = ["registry.terraform.io/panelops/panel"]
  }
}
EOF

  cp "$repo"/examples/quickstart/*.tf "$qs/work/"
  # shellcheck source=/dev/null
  source "$qs/env.sh"
  cd "$qs/work"
  # A rebuilt binary has a new checksum: let init record it afresh.
  rm -f .terraform.lock.hcl
  say "terraform init"
  "$terraform" init -input=false -no-color
  say "terraform apply"
  "$terraform" apply -input=false -auto-approve -no-color
  say "Outputs"
  "$terraform" output -no-color

  cat <<EOF

The simulated $PANEL panel keeps running at $PANEL_ENDPOINT; everything lives in $qs.

Run terraform yourself:   source $qs/env.sh && terraform -chdir=$qs/work plan
Destroy and clean up:     scripts/quickstart.sh destroy
  (by hand: source $qs/env.sh && terraform -chdir=$qs/work destroy && kill \$(cat $qs/sim.pid))
EOF
}

destroy() {
  [ -f "$qs/env.sh" ] || die "nothing to destroy in $qs"
  PANEL="$(sed -n "s/^export QUICKSTART_PANEL=//p" "$qs/env.sh")"
  if ! sim_alive; then
    find_binaries
    ensure_sim
  fi
  # shellcheck source=/dev/null
  source "$qs/env.sh"
  say "terraform destroy"
  (cd "$qs/work" && "$terraform" destroy -input=false -auto-approve -no-color)
  say "Stopping panel-sim"
  local pid
  pid="$(cat "$qs/sim.pid")"
  kill "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
  rm -rf "$qs"
  echo "Destroyed; $qs removed." >&2
}

terraform="$(find_terraform)" || exit 1
command -v python3 >/dev/null || die "python3 is required"
case "$action" in
  up) up ;;
  destroy) destroy ;;
  dir) printf '%s\n' "$qs" ;;
  -h | --help) sed -n '2,28p' "${BASH_SOURCE[0]}" ;;
  *) die "unknown command '$action' (use: up, destroy, dir)" ;;
esac
