// swift-tools-version:6.0
// The libFuzzer target for the YAML spec loader, which needs the whole SalmonAudit module (and
// Yams, GSL, OpenBLAS) and so is built by SwiftPM rather than by ../build.sh:
//
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   .build/release/fuzz-spec ../Corpus/spec -max_total_time=600
//
// (`-parse-as-library`: the target defines `fuzz_spec_main`, which SwiftPM links as `main`, and
// hands control to libFuzzer's driver.)
import PackageDescription

let package = Package(
    name: "FuzzSpec",
    dependencies: [.package(name: "DeadSalmon", path: "../..")],
    targets: [
        .executableTarget(name: "fuzz-spec", dependencies: [.product(name: "SalmonAudit", package: "DeadSalmon"),
                                                            .product(name: "SalmonDiagnostics", package: "DeadSalmon")],
                          path: "Sources/FuzzSpec"),
    ]
)
