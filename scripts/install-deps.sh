#!/usr/bin/env bash
# Installs the Debian packages Dendrite needs, only those missing. Idempotent and quick when
# everything is present. Uses apt-get as root, sudo otherwise, else prints what to install.
set -euo pipefail

# Open MPI (openmpi-bin: mpirun; libopenmpi-dev: libmpi and mpicc) for data-parallel training and its tests.
packages=(pkg-config libopenblas-dev liblapacke-dev zlib1g-dev dataset-fashion-mnist openmpi-bin libopenmpi-dev)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Dendrite: installing missing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    runner=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    runner=(sudo)
else
    echo "Dendrite needs these Debian packages, and this user cannot install them:" >&2
    echo "    sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${runner[@]}" apt-get update -qq
"${runner[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
