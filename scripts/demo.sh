#!/usr/bin/env bash
# make demo: build a demo library from the seed README and show paperlog working on it.
#
# Every command is printed as it would be typed and run as printed, inside the demo library
# (so `paperlog list` works as shown); paste them into a shell to try them yourself. `add` asks
# a local replay server (scripts/demo_server.py) instead of the internet.
set -euo pipefail
seed=${1:?seed README path}
demo=${2:?demo library folder}
repo=$(cd "$(dirname "$0")/.." && pwd)
if [[ ! -f $seed ]]; then
  echo "demo: the seed README $seed is absent (it lives in ../shared/seed; pass SEED=FILE)" >&2
  exit 1
fi
seed=$(cd "$(dirname "$seed")" && pwd)/$(basename "$seed")
mkdir -p "$(dirname "$demo")"
demo=$(cd "$(dirname "$demo")" && pwd)/$(basename "$demo")
rm -rf "$demo"
export PATH="$repo/.venv/bin:$PATH"
# A demo commits into its own repository: give git a name there if the machine has none.
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-paperlog demo} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-demo@example.invalid}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}

# A word as a shell would need it typed: bare when safe, else in single quotes.
quote() {
  if [[ $1 =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then printf '%s' "$1"; else
    printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
show() {
  local line="" word
  for word in "$@"; do line+="${line:+ }$(quote "$word")"; done
  printf '\n\033[1m$ %s\033[0m\n' "$line"
}
step() { show "$@"; "$@"; }
say() { printf '\n# %s\n' "$*"; }

say "paperlog is on PATH for this session:"
printf '\n\033[1m$ export PATH="%s/.venv/bin:$PATH"\033[0m\n' "$repo"
step paperlog init "$demo" --title "Demo reading log"
show cd "$demo"
cd "$demo"
step paperlog import readme "$seed"
step paperlog list --status wish
step paperlog weeks
step paperlog search contrastive
step paperlog search segmentation -survey
step paperlog search --venue NIPS --year 2017..2019
step paperlog show simclr
step paperlog today --date 2020-10-24
step paperlog week 13
step paperlog queue

say "add asks the metadata sources; here a local server replays recorded answers:"
envfile=$(mktemp)
"$repo/.venv/bin/python" "$repo/scripts/demo_server.py" >"$envfile" </dev/null &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$envfile"' EXIT
for _ in $(seq 100); do [[ $(wc -l <"$envfile") -ge 6 ]] && break; sleep 0.1; done
while IFS= read -r line; do
  printf '\033[1m$ %s\033[0m\n' "$line"
  eval "$line"
done <"$envfile"
step paperlog add "https://openreview.net/forum?id=YicbFdNTTy"
step paperlog queue top "https://openreview.net/forum?id=YicbFdNTTy"

say "review asks about the key ideas of what you read; note some, then grade them:"
ideas='\n## Key ideas\n- two augmented views of one image, pulled together\n'
printf "\n\033[1m\$ printf '%s' >> papers/simclr-2020.md\033[0m\n" "$ideas"
printf "$ideas" >>papers/simclr-2020.md
step git commit --quiet -m "key ideas for simclr" papers/simclr-2020.md
step paperlog review --list --date 2020-10-25
step paperlog review --grade simclr=good --date 2020-10-25
step paperlog stats --date 2020-10-25
step paperlog export bibtex --output refs.bib
step paperlog render readme --force
step git log --oneline
printf '\nThe demo library is in %s: papers/, paperlog.toml, resources.yaml, weeks.yaml, README.md, refs.bib\n' "$demo"
