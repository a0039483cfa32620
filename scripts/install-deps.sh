#!/usr/bin/env bash
# Installs what the test suite needs, if it is missing:
#   - Debian packages: PostgreSQL (internal/testenv starts throwaway clusters),
#     Chromium and its WebDriver, poppler-utils, Mosquitto, DejaVu fonts;
#   - staticcheck, via go install.
# Installing packages needs root; without it the script lists what is missing
# and exits 1. Safe to run repeatedly: it does nothing when everything is present.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
	postgresql
	chromium
	chromium-driver
	poppler-utils
	mosquitto
	fonts-dejavu-core
)
STATICCHECK_VERSION=v0.8.2

log() { printf 'install-deps: %s\n' "$*" >&2; }

# is_installed PKG: whether dpkg considers PKG fully installed (dpkg -s also
# succeeds for packages that were removed but left their configuration behind).
is_installed() {
	dpkg -s "$1" 2>/dev/null | grep -qx 'Status: install ok installed'
}

install_packages() {
	local missing=() pkg
	for pkg in "${PACKAGES[@]}"; do
		is_installed "$pkg" || missing+=("$pkg")
	done
	if ((${#missing[@]} == 0)); then
		log "Debian packages: all present"
		return
	fi

	if ((EUID != 0)); then
		log "missing Debian packages: ${missing[*]}"
		log "run this script as root (e.g. sudo $0), or: apt-get install ${missing[*]}"
		exit 1
	fi

	# Services (postgresql, mosquitto) cannot start without an init system, e.g. in
	# a container; keep their postinst scripts from trying. Tests start their own.
	local policy=/usr/sbin/policy-rc.d
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 0755 "$policy"
		trap "rm -f '$policy'" EXIT
	fi

	# Wait rather than fail if another apt/dpkg run holds the lock.
	local apt_opts=(-o DPkg::Lock::Timeout=600)
	log "installing: ${missing[*]}"
	apt-get "${apt_opts[@]}" update
	apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"
}

install_staticcheck() {
	if command -v staticcheck >/dev/null; then
		log "staticcheck: present ($(command -v staticcheck))"
		return
	fi
	if ! command -v go >/dev/null; then
		log "staticcheck is missing and go is not on PATH to install it"
		exit 1
	fi
	local gobin
	gobin=$(go env GOBIN)
	if [[ -z $gobin ]]; then
		gobin="$(go env GOPATH | cut -d: -f1)/bin"
	fi
	if [[ -x $gobin/staticcheck ]]; then
		log "staticcheck: present ($gobin/staticcheck; not on PATH)"
		return
	fi
	log "installing staticcheck@$STATICCHECK_VERSION into $gobin"
	go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
}

install_packages
install_staticcheck
log "done"
