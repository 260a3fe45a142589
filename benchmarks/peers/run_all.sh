#!/usr/bin/env bash
# Runs every available peer benchmark and writes benchmarks/peers/results.csv
# (tool,version,workload,paths,steps,seconds,path_steps_per_second,check).
# Each script × workload is one run under the shared lock, so no two timings overlap and the lock
# is released between runs. Peers that are not installed are skipped with a note.
# Usage (from the repository root): bash benchmarks/peers/run_all.sh
set -euo pipefail
cd "$(dirname "$0")"

LOCK="${PEER_LOCK:-/tmp/swift-build.lock}"
PY="${PYTHON:-python3}"
OUT=results.csv
LOG=run_all.log
TMP="$(mktemp results.XXXXXX.csv)"
trap 'rm -f "$TMP"' EXIT
: > "$LOG"

run() {  # run SCRIPT [ARGS...]: one locked run, output also appended to the log
  echo "+ ${PEER_DIFFRAX_BM:+PEER_DIFFRAX_BM=$PEER_DIFFRAX_BM }flock $LOCK $PY $* --csv $TMP" | tee -a "$LOG"
  flock "$LOCK" "$PY" "$@" --csv "$TMP" 2>&1 | tee -a "$LOG"
}

have() { "$PY" -c "import $1" >/dev/null 2>&1; }

if have numpy; then
  for w in W1 W2; do run numpy_em.py --workload "$w"; done
else
  echo "skip numpy_em.py: numpy is not installed" | tee -a "$LOG"
fi

if have "jax, jaxlib"; then
  for w in W1 W2; do run jax_em.py --workload "$w"; done
else
  echo "skip jax_em.py: jax/jaxlib are not installed (pip install -r requirements.txt)" | tee -a "$LOG"
fi

if have "jax, diffrax, lineax"; then
  for w in W1 W2; do run diffrax_em.py --workload "$w"; done
  # VirtualBrownianTree for comparison: ~40x slower than UnsafeBrownianPath here, so 10^4 paths, 1 run
  for w in W1 W2; do
    PEER_DIFFRAX_BM=vbt run diffrax_em.py --workload "$w" --paths 10000 --repeats 1
  done
else
  echo "skip diffrax_em.py: diffrax is not installed (pip install -r requirements.txt)" | tee -a "$LOG"
fi

mv "$TMP" "$OUT"
chmod 644 "$OUT"
trap - EXIT
echo "wrote $(pwd)/$OUT"
"$PY" - "$OUT" <<'PYEOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
cols = [0, 2, 3, 4, 5, 6]  # tool, workload, paths, steps, seconds, path-steps/s
width = [max(len(r[c]) for r in rows) for c in cols]
for r in rows:
    print("  ".join(r[c].ljust(w) for c, w in zip(cols, width)))
PYEOF
