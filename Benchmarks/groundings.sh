#!/usr/bin/env bash
# Counting every grounding of every perfect circuit of a [2, 3, 3, 1] XOR network: `salmon circuits
# --groundings` against Méloux et al.'s published code on the same weights, timed as whole processes
# pair by pair in one run (farm-bench --vs), one thread each. Writes results/groundings-vs-published.txt.
#
#   MI_IDENTIFIABILITY=/path/to/MI-identifiability Benchmarks/groundings.sh [MODEL] [RUNS]
#
# MI_IDENTIFIABILITY is a checkout of github.com/MelouxM/MI-identifiability at c08b08d (or the fork
# gwherb/MI-identifiability, which carries that history); its requirements (torch, numpy, networkx,
# tqdm, pandas, matplotlib) must import.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${MI_IDENTIFIABILITY:?set MI_IDENTIFIABILITY to a checkout of the published code}"
fixtures=Tests/SalmonMethodsTests/Fixtures/circuits
model=${1:-$fixtures/xor-2-3-3-1-seed1.safetensors}
runs=${2:-3}
swift build -c release --product salmon >/dev/null
out=Benchmarks/results/groundings-vs-published.txt
rm -f /tmp/groundings-ours.jsonl /tmp/groundings-peer.jsonl
export MI_IDENTIFIABILITY
farm-bench -n "$runs" --timeout 1200 \
  --vs "sh -c 'exec python3 Benchmarks/groundings_peer.py $model >>/tmp/groundings-peer.jsonl 2>&1'" \
  -- sh -c "exec .build/release/salmon circuits --model $model --architecture $fixtures/architecture.json --groundings --format json --jobs 1 >>/tmp/groundings-ours.jsonl 2>&1" > "$out.tmp"
python3 - <<'PY' >> "$out.tmp"
import json
def objects(path):
    text, decoder, i, out = open(path).read(), json.JSONDecoder(), 0, []
    while (i := text.find("{", i)) >= 0:
        obj, i = decoder.raw_decode(text, i)
        out.append(obj)
    return out
ours = objects("/tmp/groundings-ours.jsonl")[-1]
peer = objects("/tmp/groundings-peer.jsonl")[-1]
print(f"explanations: ours {ours['groundings']['explanations']:.0f} over {ours['perfectCircuits']:.0f} perfect circuits, "
      f"published {peer['explanations']} over {peer['perfectCircuits']}; equal: {ours['groundings']['explanations'] == peer['explanations']}")
PY
mv "$out.tmp" "$out"
cat "$out"
