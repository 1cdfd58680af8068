#!/usr/bin/env bash
# Builds the libFuzzer targets with swiftc (SwiftPM's executable targets bring their own `main`,
# which would replace libFuzzer's). Output: Fuzz/.build/fuzz-number-list, fuzz-csv, fuzz-safetensors,
# fuzz-numpy, fuzz-json
set -euo pipefail
cd "$(dirname "$0")"
out=.build
mkdir -p "$out"
flags=(-O -sanitize=fuzzer,address -parse-as-library)
swiftc "${flags[@]}" -module-name SalmonDiagnostics -emit-module -emit-module-path "$out/SalmonDiagnostics.swiftmodule" \
  -emit-library -static -o "$out/libSalmonDiagnostics.a" $(find ../Sources/SalmonDiagnostics -name '*.swift')
swiftc "${flags[@]}" -I "$out" -module-name SalmonIO -emit-module -emit-module-path "$out/SalmonIO.swiftmodule" \
  -emit-library -static -o "$out/libSalmonIO.a" $(find ../Sources/SalmonIO -name '*.swift')
for target in NumberList:number-list CSV:csv SafeTensors:safetensors NumPy:numpy JSON:json; do
  source="Fuzz${target%%:*}.swift" binary="fuzz-${target#*:}"
  swiftc "${flags[@]}" -I "$out" -L "$out" -lSalmonIO -lSalmonDiagnostics "$source" -o "$out/$binary"
  echo "built $out/$binary"
done
