# shellcheck shell=bash
# Finds the Terraform CLI the way the test suite does (tests/support/terraform.rs):
# $PANEL_ACC_TERRAFORM or $TERRAFORM when set, else `terraform` on PATH, else the usual
# install locations; it must be 1.11 or newer (write-only attributes need 1.11).
#
#   source scripts/lib/terraform.sh
#   terraform="$(find_terraform)" || exit 1   # prints the path, or one error on stderr

TERRAFORM_MINIMUM_MAJOR=1
TERRAFORM_MINIMUM_MINOR=11
# HashiCorp's zip and tfenv, its Debian/RPM packages, Homebrew on Apple silicon, snap.
TERRAFORM_USUAL_LOCATIONS=(/usr/local/bin/terraform /usr/bin/terraform /opt/homebrew/bin/terraform /snap/bin/terraform)

find_terraform() {
  local needed="Terraform >= ${TERRAFORM_MINIMUM_MAJOR}.${TERRAFORM_MINIMUM_MINOR} is required: install it on PATH (https://developer.hashicorp.com/terraform/install), or point PANEL_ACC_TERRAFORM (or TERRAFORM) at it"
  local candidate="${PANEL_ACC_TERRAFORM:-${TERRAFORM:-}}"
  if [ -n "$candidate" ]; then
    candidate="$(command -v "$candidate" 2>/dev/null || true)"
    [ -n "$candidate" ] || { echo "error: $needed; ${PANEL_ACC_TERRAFORM:-$TERRAFORM} was not found" >&2; return 1; }
  else
    candidate="$(command -v terraform 2>/dev/null || true)"
    if [ -z "$candidate" ]; then
      local location
      for location in "${TERRAFORM_USUAL_LOCATIONS[@]}"; do
        if [ -x "$location" ]; then candidate="$location"; break; fi
      done
    fi
    [ -n "$candidate" ] || { echo "error: $needed; it is not on PATH nor in ${TERRAFORM_USUAL_LOCATIONS[*]}" >&2; return 1; }
  fi
  local version major minor
  version="$(CHECKPOINT_DISABLE=1 "$candidate" version 2>/dev/null | sed -n '1s/^Terraform v//p')"
  major="${version%%.*}"
  minor="${version#*.}"
  minor="${minor%%.*}"
  if ! [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]]; then
    echo "error: $needed; '$candidate version' printed no Terraform version" >&2
    return 1
  fi
  if [ "$major" -lt "$TERRAFORM_MINIMUM_MAJOR" ] ||
    { [ "$major" -eq "$TERRAFORM_MINIMUM_MAJOR" ] && [ "$minor" -lt "$TERRAFORM_MINIMUM_MINOR" ]; }; then
    echo "error: $needed; $candidate is Terraform $version" >&2
    return 1
  fi
  printf '%s\n' "$candidate"
}
