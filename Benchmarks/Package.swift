// swift-tools-version:6.0
// Release-mode benchmarks of DeadSalmon. A separate package so that CI (which runs the README's
// test command) never builds it. Run with ./run.sh from this folder or `make bench` at the top.
import PackageDescription

let package = Package(
    name: "DeadSalmonBenchmarks",
    dependencies: [.package(name: "DeadSalmon", path: "..")],
    targets: [
        .executableTarget(
            name: "salmon-bench",
            dependencies: [
                .product(name: "SalmonStatistics", package: "DeadSalmon"),
                .product(name: "SalmonNetworks", package: "DeadSalmon"),
                .product(name: "SalmonMethods", package: "DeadSalmon"),
                .product(name: "SalmonIO", package: "DeadSalmon"),
                .product(name: "SalmonAudit", package: "DeadSalmon"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
