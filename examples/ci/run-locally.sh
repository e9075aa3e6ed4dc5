#!/usr/bin/env bash
# The workflow of parity.yml on one machine: one run per framework, each its own process with its own
# --dump (as each CI job runs it), the same for the training step, then the merges that compare across them.
#
#   examples/ci/run-locally.sh [OUT] [SPEC ...]     OUT defaults to out/ci (in the repository)
#
# Writes OUT/parts/<fw>/ (the dump), OUT/parts/<fw>.json (that run's own report), OUT/merged.json and
# OUT/merged.html; for training OUT/train/<fw>/, OUT/train/<fw>.json and OUT/trained.json. Exit status: the
# worse merge's (0 every block agrees, 1 something failed, 2 the parts cannot be merged), or a part's when it
# is 2 or more (bad input, an interruption).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(realpath -m --relative-to="$ROOT" "${1:-$ROOT/out/ci}")   # as the repository root sees it
shift || true
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
cd "$ROOT"
rm -rf "$OUT/parts" "$OUT/train" && mkdir -p "$OUT/parts" "$OUT/train"

for fw in torch flax keras gluon; do           # the matrix: one job per framework
  "$PYTHON" compare.py "$@" --backends "$fw" --require all --quiet \
      --dump "$OUT/parts/$fw" --json "$OUT/parts/$fw.json" > "$OUT/$fw.txt"
  status=$?
  echo "$fw: exit $status (its own report: $OUT/$fw.txt)"
  if [ "$status" -ge 2 ]; then cat "$OUT/$fw.txt" >&2; exit "$status"; fi   # 1 is for the merge to judge
  "$PYTHON" compare.py train "$@" --backends "$fw" --require all --quiet \
      --dump "$OUT/train/$fw" --json "$OUT/train/$fw.json" > "$OUT/train-$fw.txt"
  status=$?
  echo "$fw train: exit $status (its own report: $OUT/train-$fw.txt)"
  if [ "$status" -ge 2 ]; then cat "$OUT/train-$fw.txt" >&2; exit "$status"; fi
done

# the merge job: every part's arrays judged together, without any framework
"$PYTHON" compare.py merge "$OUT"/parts/* --json "$OUT/merged.json" --html "$OUT/merged.html"
compared=$?
"$PYTHON" compare.py merge "$OUT"/train/* --json "$OUT/trained.json"
trained=$?
exit $(( compared > trained ? compared : trained ))
