#!/bin/sh
# Installs the Debian packages overcap needs to build and test, if missing.
# Usage: scripts/install-deps.sh [build|test|bench]
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

level=${1:-build}

# What the engine and the command line need.
pkgs="cmake ninja-build gcc make pkg-config libxml2-dev libjansson-dev libopenmpi-dev openmpi-bin"
case "$level" in
  build) ;;
  test) pkgs="$pkgs" ;;
  bench) pkgs="$pkgs nodejs npm" ;;
  *) echo "install-deps: unknown level '$level' (build, test or bench)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *)
      # A tool installed outside Debian (for example node) counts as present.
      case "$p" in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
      esac
      missing="$missing $p" ;;
  esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "install-deps: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >&2
else
  echo "install-deps: missing Debian packages:$missing" >&2
  echo "install-deps: run:  sudo apt-get install -y$missing" >&2
  exit 1
fi
