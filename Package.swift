// swift-tools-version:6.0
// DeadSalmon: interpretability methods as statistical estimators, tested against null networks.
// See ARCHITECTURE.md for the module map.

import PackageDescription

let package = Package(
    name: "DeadSalmon",
    products: [
        .library(name: "DeadSalmon", targets: ["DeadSalmon"]),
        .library(name: "SalmonStatistics", targets: ["SalmonStatistics"]),
        .library(name: "SalmonIO", targets: ["SalmonIO"]),
        .library(name: "SalmonNetworks", targets: ["SalmonNetworks"]),
        .library(name: "SalmonTasks", targets: ["SalmonTasks"]),
        .executable(name: "salmon", targets: ["salmon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries. Only SalmonStatistics imports CGSL and only SalmonNetworks will import
        // COpenBLAS: GSL's gsl_cblas.h and OpenBLAS's cblas.h clash in one Swift module.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),

        .target(name: "SalmonStatistics", dependencies: ["CGSL"]),
        .target(name: "SalmonIO"),
        .target(name: "SalmonNetworks", dependencies: ["COpenBLAS", "SalmonStatistics", "SalmonIO"]),
        .target(
            name: "SalmonTasks",
            dependencies: ["SalmonNetworks", "SalmonIO"],
            exclude: ["Resources/convert_digits.py"],
            resources: [.copy("Resources/digits.csv")]
        ),
        .target(name: "DeadSalmon", dependencies: ["SalmonStatistics", "SalmonIO", "SalmonNetworks", "SalmonTasks"]),
        .executableTarget(
            name: "salmon",
            dependencies: [
                "DeadSalmon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "SalmonStatisticsTests", dependencies: ["SalmonStatistics"], exclude: ["Fixtures"]),
        .testTarget(name: "SalmonIOTests", dependencies: ["SalmonIO"], exclude: ["Fixtures"]),
        .testTarget(name: "SalmonNetworksTests", dependencies: ["SalmonNetworks"], exclude: ["Fixtures"]),
        .testTarget(name: "SalmonTasksTests", dependencies: ["SalmonTasks"]),
        .testTarget(name: "SalmonCLITests", dependencies: ["salmon"], exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
