#!/bin/sh
# Installs the Debian packages overcap needs to build and test, if missing,
# and for `test` the browser tests' npm packages (tests/browser, from its
# package-lock.json: playwright-core driving Debian's chromium).
# Usage: scripts/install-deps.sh [build|test|bench]
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

level=${1:-build}

# What the engine and the command line need.
pkgs="cmake ninja-build gcc make pkg-config libxml2-dev libjansson-dev libmicrohttpd-dev libopenmpi-dev openmpi-bin"
case "$level" in
  build) ;;
  test) pkgs="$pkgs chromium nodejs npm" ;;
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

npm_packages() {
  [ "$level" = test ] || return 0
  dir="$(dirname "$0")/../tests/browser"
  [ -f "$dir/node_modules/playwright-core/package.json" ] && return 0
  echo "install-deps: installing the browser tests' npm packages (tests/browser)" >&2
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
}

if [ -z "$missing" ]; then
  npm_packages
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "install-deps: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >&2
  npm_packages
else
  echo "install-deps: missing Debian packages:$missing" >&2
  echo "install-deps: run:  sudo apt-get install -y$missing" >&2
  exit 1
fi
