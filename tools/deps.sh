#!/bin/sh
# Installs the Debian packages lrfa needs, only those missing.
# Quick (one dpkg-query) when everything is present. `deps.sh bench` adds
# the benchmark's peers (PyTorch).
set -e
# clang builds the fuzz targets (libFuzzer); valgrind runs in make check;
# Open MPI builds and runs lrfa-mpi
PKGS="make gcc pkgconf libopenblas-dev liblapacke-dev libcunit1-dev gnuplot-nox python3-numpy python3-scipy clang valgrind libopenmpi-dev openmpi-bin"
[ "${1:-}" = bench ] && PKGS="$PKGS python3-torch"
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "lrfa: installing missing packages:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo
    else echo "lrfa: need root (or sudo) to install:$missing" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "lrfa: installed:$missing" >&2
