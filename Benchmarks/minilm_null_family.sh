#!/usr/bin/env bash
# Whole-process benchmark (issue 16): the random-init null family of all-MiniLM-L6-v2, K = 100,
# activations at layers 2 and 5 mean-pooled over the first 500 texts of minilm_peer.py's data —
# `salmon audit` of the spec minilm_peer.py --make-data writes (the nulls made from seeds, their
# activations, the claim tested against them, the report written) against the PyTorch export loop a
# user writes to get the same activations (minilm_peer.py export: BertModel(config) per seed, one
# .npy per model and layer; no audit at all). Alternating runs, same threads (salmon --jobs THREADS,
# torch.set_num_threads(THREADS)); GNU time's wall seconds and peak resident memory.
#
#   Benchmarks/minilm_null_family.sh [RUNS] [THREADS]    (default 1 run, 2 threads; about 10 minutes)
#
# Prints one JSON object per measurement: {"name", "impl", "wall", "peakKiB", "run"}.
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-1}
threads=${2:-2}
salmon=../.build/release/salmon
[ -x "$salmon" ] || (cd .. && swift build -c release --product salmon >/dev/null)
data=.build/minilm_data
[ -d "$data" ] || python3 minilm_peer.py --make-data "$data"
head -500 "$data/texts.txt" > "$data/texts500.txt"
sed 's/text: texts.txt/text: texts500.txt/' "$data/nulls.yaml" > "$data/nulls500.yaml"
measure() {  # name impl run command...
  local name=$1 impl=$2 run=$3; shift 3
  /usr/bin/time -f '%e %M' -o "$data/time" "$@" >/dev/null 2>&1
  read -r wall peak < "$data/time"
  echo "{\"name\": \"$name\", \"impl\": \"$impl\", \"wall\": $wall, \"peakKiB\": $peak, \"run\": $run, \"threads\": $threads}"
}
for run in $(seq 1 "$runs"); do
  rm -rf "$data/report" "$data/export"
  measure minilm_random_init_K100_500_texts deadsalmon "$run" "$salmon" audit "$data/nulls500.yaml" --out "$data/report" --jobs "$threads"
  measure minilm_random_init_K100_500_texts pytorch "$run" python3 minilm_peer.py export "$data" "$data/export" 100 "$threads" texts500.txt
done
