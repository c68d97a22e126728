#!/usr/bin/env bash
# Installs the Debian packages coact needs to build, test and benchmark.
# Safe to run any number of times: when everything is present it changes nothing
# and needs no root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache
  libasio-dev capnproto libcapnp-dev libboost1.81-dev
  catch2 libbenchmark-dev
  nlohmann-json3-dev libcli11-dev   # history files; the coact command line
  libtomlplusplus-dev               # coact-node's topology files (TOML)
  libssl-dev                        # the TCP handshake: HMAC-SHA256, random nonces
  libcaf-dev                        # comparison benchmarks only
  clang libclang-rt-14-dev          # clang builds and their sanitizers
)

missing=()
for p in "${packages[@]}"; do
  # db:Status-Status is "installed" only for a fully installed package (not "config-files").
  if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: missing packages: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: installing them needs root; run: sudo $0" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt (unattended upgrades on a fresh machine) may hold the lock for a while.
apt_options=(-o DPkg::Lock::Timeout=300)
apt-get "${apt_options[@]}" update
apt-get "${apt_options[@]}" install -y "${missing[@]}"
echo "setup: installed ${missing[*]}"
