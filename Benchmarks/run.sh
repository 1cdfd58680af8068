#!/usr/bin/env bash
# Release-mode benchmarks: DeadSalmon and its Python peers, measured in the same run on this machine.
# Writes Benchmarks/results/latest.jsonl and prints a ratio table.
set -euo pipefail
cd "$(dirname "$0")"
python3 -c "import scipy, statsmodels, torch, sklearn, threadpoolctl" 2>/dev/null || pip install -q scipy statsmodels torch scikit-learn threadpoolctl
swift build -c release --product salmon-bench >/dev/null
bench=.build/release/salmon-bench
mkdir -p results
out=results/latest.jsonl
{
  echo "{\"name\": \"machine\", \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\", \"cores\": $(nproc), \"date\": \"$(date -u +%FT%TZ)\"}"
  "$bench" speed | sed 's/^{/{"impl": "deadsalmon", /'
  python3 peers.py | sed 's/^{/{"impl": "peer", /'
  "$bench" networks | sed 's/^{/{"impl": "deadsalmon", /'
  "$bench" transformer | sed 's/^{/{"impl": "deadsalmon", /'
  "$bench" modular-addition 23 0.8 | sed 's/^{/{"impl": "deadsalmon", /'
  "$bench" modular-addition 59 0.5 | sed 's/^{/{"impl": "deadsalmon", /'
  for n in 100000 1000000 2000000; do "$bench" memory $n 9999 | sed 's/^{/{"impl": "deadsalmon", /'; done
  "$bench" calibration "${CALIBRATION_SIMULATIONS:-20000}" | sed 's/^{/{"impl": "deadsalmon", /'
  "$bench" audit-calibration "${AUDIT_CALIBRATION_REPETITIONS:-2000}" | sed 's/^{/{"impl": "deadsalmon", /'
  probes_data=.build/probes_data.npz
  [ -f "$probes_data" ] || python3 probes_peer.py --make-data "$probes_data" --seed 7 >/dev/null
  "$bench" probes "$probes_data" | sed 's/^{/{"impl": "deadsalmon", /'
  python3 probes_peer.py "$probes_data" | sed 's/^{/{"impl": "peer", /'
  attribution_data=.build/attribution_data
  [ -d "$attribution_data" ] || python3 attribution_peer.py --make-data "$attribution_data" --seed 0 >/dev/null
  "$bench" attribution "$attribution_data" | sed 's/^{/{"impl": "deadsalmon", /'
  python3 attribution_peer.py "$attribution_data" | sed 's/^{/{"impl": "peer", /'
  cnn_data=.build/attribution_cnn_data
  [ -d "$cnn_data" ] || python3 attribution_cnn_peer.py --make-data "$cnn_data" --seed 0 >/dev/null
  "$bench" attribution-cnn "$cnn_data" | sed 's/^{/{"impl": "deadsalmon", /'
  python3 attribution_cnn_peer.py "$cnn_data" | sed 's/^{/{"impl": "peer", /'
  sae_data=.build/sae_data.npy
  [ -f "$sae_data" ] || python3 sae_peer.py --make-data "$sae_data" --seed 0
  "$bench" sae "$sae_data" | sed 's/^{/{"impl": "deadsalmon", /'
  python3 sae_peer.py "$sae_data" | sed 's/^{/{"impl": "peer", /'
  minilm_data=.build/minilm_data
  [ -d "$minilm_data" ] || python3 minilm_peer.py --make-data "$minilm_data"
  "$bench" minilm "$minilm_data" | sed 's/^{/{"impl": "deadsalmon", /'
  python3 minilm_peer.py forward "$minilm_data" | sed 's/^{/{"impl": "peer", /'
  ./whole_process.sh 1 | sed "s/^{/{\"kind\": \"whole-process\", /"
  ./whole_audits.sh 1 | sed "s/^{/{\"kind\": \"whole-audit\", /"
} > "$out.tmp"
mv "$out.tmp" "$out"
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
peer = {r["name"]: r for r in rows if r.get("impl") == "peer"}
print(rows[0])
for r in rows[1:]:
    if r.get("impl") != "deadsalmon":
        continue
    if r["name"] in peer and "seconds" in r:
        ratio = peer[r["name"]]["seconds"] / r["seconds"]
        print(f'{r["name"]:42s} workers={r.get("workers", r.get("blasThreads"))}  deadsalmon {r["seconds"]*1e3:9.2f} ms   '
              f'{peer[r["name"]]["peer"]} {peer[r["name"]]["seconds"]*1e3:9.2f} ms   speed-up {ratio:7.1f}x')
    else:
        print(r)
PY
