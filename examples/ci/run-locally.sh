#!/usr/bin/env bash
# The workflow of parity.yml on one machine: one run per framework, each its own process with its own
# --dump (as each CI job runs it), then the merge that compares across them.
#
#   examples/ci/run-locally.sh [OUT] [SPEC ...]     OUT defaults to out/ci (in the repository)
#
# Writes OUT/parts/<fw>/ (the dump), OUT/parts/<fw>.json (that run's own report), OUT/merged.json and
# OUT/merged.html. Exit status: the merge's (0 every block agrees, 1 something failed, 2 the parts
# cannot be merged), or a part's when it is 2 or more (bad input, an interruption).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(realpath -m --relative-to="$ROOT" "${1:-$ROOT/out/ci}")   # as the repository root sees it
shift || true
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
cd "$ROOT"
rm -rf "$OUT/parts" && mkdir -p "$OUT/parts"

for fw in torch flax keras gluon; do           # the matrix: one job per framework
  "$PYTHON" compare.py "$@" --backends "$fw" --require all --quiet \
      --dump "$OUT/parts/$fw" --json "$OUT/parts/$fw.json" > "$OUT/$fw.txt"
  status=$?
  echo "$fw: exit $status (its own report: $OUT/$fw.txt)"
  if [ "$status" -ge 2 ]; then cat "$OUT/$fw.txt" >&2; exit "$status"; fi   # 1 is for the merge to judge
done

# the merge job: every part's arrays judged together, without any framework
"$PYTHON" compare.py merge "$OUT"/parts/* --json "$OUT/merged.json" --html "$OUT/merged.html"
