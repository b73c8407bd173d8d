#!/usr/bin/env bash
# make demo: build a demo library from the seed README and show paperlog working on it.
set -euo pipefail
seed=${1:?seed README path}
demo=${2:?demo library folder}
pl=".venv/bin/paperlog"
if [[ ! -f $seed ]]; then
  echo "demo: the seed README $seed is absent (it lives in ../shared/seed; pass SEED=FILE)" >&2
  exit 1
fi
rm -rf "$demo"
mkdir -p "$(dirname "$demo")"
step() { printf '\n\033[1m$ paperlog %s\033[0m\n' "$*"; "$pl" --library "$demo" "$@"; }

step init --title "Demo reading log"
step import readme "$seed"
step list --status wish
step weeks
step search contrastive
step search --venue NIPS --year 2017..2019
step show simclr
step doctor
step today --date 2020-10-24
step week 13
step stats --date 2020-10-25
step render readme --output "$demo/README.md" --force
printf '\nThe demo library is in %s: papers/, paperlog.toml, resources.yaml, weeks.yaml, README.md\n' "$demo"
