#!/usr/bin/env bash
# make demo: build a demo library from the seed README and show paperlog working on it.
set -euo pipefail
seed=${1:?seed README path}
demo=${2:?demo library folder}
pl=".venv/bin/paperlog"
if [[ ! -f $seed ]]; then
  echo "demo: the seed README $seed is absent (it lives in ../shared/seed)" >&2
  exit 1
fi
rm -rf "$demo"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
step $pl --library "$demo" init --title "Demo reading log"
echo "(more steps land as the commands do)"
