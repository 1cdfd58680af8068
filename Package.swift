// swift-tools-version:6.0
// DeadSalmon: interpretability methods as statistical estimators, tested against null networks.
// See ARCHITECTURE.md for the module map.

import PackageDescription

let package = Package(
    name: "DeadSalmon",
    products: [
        .library(name: "DeadSalmon", targets: ["DeadSalmon"]),
        .library(name: "SalmonDiagnostics", targets: ["SalmonDiagnostics"]),
        .library(name: "SalmonStatistics", targets: ["SalmonStatistics"]),
        .library(name: "SalmonIO", targets: ["SalmonIO"]),
        .library(name: "SalmonNetworks", targets: ["SalmonNetworks"]),
        .library(name: "SalmonTasks", targets: ["SalmonTasks"]),
        .library(name: "SalmonMethods", targets: ["SalmonMethods"]),
        .library(name: "SalmonAudit", targets: ["SalmonAudit"]),
        .library(name: "SalmonReports", targets: ["SalmonReports"]),
        .executable(name: "salmon", targets: ["salmon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
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

        // The error protocol every module's errors adopt (so the CLI catches them once).
        .target(name: "SalmonDiagnostics"),
        .target(name: "SalmonStatistics", dependencies: ["CGSL", "SalmonDiagnostics"]),
        .target(name: "SalmonIO", dependencies: ["SalmonDiagnostics"]),
        .target(name: "SalmonNetworks", dependencies: ["COpenBLAS", "SalmonStatistics", "SalmonIO", "SalmonDiagnostics"]),
        .target(
            name: "SalmonTasks",
            dependencies: ["SalmonNetworks", "SalmonIO"],
            exclude: ["Resources/convert_digits.py"],
            resources: [.copy("Resources/digits.csv")]
        ),
        .target(name: "SalmonMethods", dependencies: ["SalmonNetworks", "SalmonStatistics", "SalmonDiagnostics"]),
        .target(
            name: "SalmonAudit",
            dependencies: ["SalmonMethods", "SalmonTasks", "SalmonIO", "SalmonStatistics", "SalmonDiagnostics",
                           .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "SalmonReports", dependencies: ["SalmonAudit"]),
        .target(name: "DeadSalmon", dependencies: ["SalmonDiagnostics", "SalmonStatistics", "SalmonIO", "SalmonNetworks", "SalmonTasks", "SalmonMethods",
                                                   "SalmonAudit", "SalmonReports"]),
        .executableTarget(
            name: "salmon",
            dependencies: [
                "DeadSalmon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "SalmonStatisticsTests", dependencies: ["SalmonStatistics"], exclude: ["Fixtures"]),
        .testTarget(name: "SalmonIOTests", dependencies: ["SalmonIO"], exclude: ["Fixtures"]),
        .testTarget(name: "SalmonNetworksTests", dependencies: ["SalmonNetworks", "SalmonIO", "SalmonStatistics"], exclude: ["Fixtures"]),
        .testTarget(name: "SalmonTasksTests", dependencies: ["SalmonTasks", "SalmonNetworks", "SalmonStatistics"]),
        .testTarget(name: "SalmonMethodsTests", dependencies: ["SalmonMethods", "SalmonNetworks", "SalmonStatistics", "SalmonTasks"], exclude: ["Fixtures"]),
        // Every module a test file imports is named here, not reached through another target: SwiftPM
        // orders the build by declared dependencies only, so an undeclared import fails on a parallel build.
        .testTarget(name: "SalmonAuditTests", dependencies: ["SalmonAudit", "SalmonReports", "SalmonMethods", "SalmonNetworks", "SalmonStatistics", "SalmonTasks",
                                                     "SalmonDiagnostics", "SalmonIO"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SalmonReportsTests", dependencies: ["SalmonReports", "SalmonAudit", "SalmonIO", "SalmonStatistics"]),
        .testTarget(name: "SalmonCLITests", dependencies: ["salmon"], exclude: ["Snapshots", "BadInputs"]),
    ],
    swiftLanguageModes: [.v6]
)
