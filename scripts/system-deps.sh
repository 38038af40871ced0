#!/usr/bin/env bash
# Debian packages the test suite needs: a PostgreSQL server (our own throwaway
# instance, see scripts/postgres.sh), Chromium for the Playwright browser tests
# (Playwright never downloads a browser here) and CJK fonts so Chinese pages
# render. Installs only what is missing; does nothing (silently) otherwise.
set -euo pipefail

installed() { # installed PKG: is the Debian package installed?
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

have_pg_server() { # any PostgreSQL server binaries (initdb) at all?
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

missing=()
{ installed postgresql || have_pg_server; } || missing+=(postgresql)
{ installed chromium && command -v chromium >/dev/null; } || missing+=(chromium)
installed fonts-noto-cjk || missing+=(fonts-noto-cjk)

[ ${#missing[@]} -eq 0 ] && exit 0

echo "system-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
    [ -t 0 ] || sudo=(sudo -n)  # no terminal (CI): never wait for a password
else
    echo "system-deps: not root and no sudo; as root run:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Acquire::Retries=3
          -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "${missing[@]}"
