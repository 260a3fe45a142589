// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SGDynamics",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SGDynamics", targets: ["SGDynamics"]),
        .library(name: "SGDynamicsReport", targets: ["SGDynamicsReport"]),
        .library(name: "SGDynamicsStore", targets: ["SGDynamicsStore"]),
        .executable(name: "sgdyn", targets: ["sgdyn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // `swift package generate-documentation` for the DocC catalog (build-time plugin only).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // YAML (and JSON) experiment files with line/column marks for every node.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Philox + ziggurat normals for four paths at a time, and the fused Euler–Maruyama kernel of 64 paths
        // (AVX-512 or AVX2 chosen at run time, portable C otherwise; every path gives the same bits).
        .target(name: "CSGDynamicsKernels"),
        .target(
            name: "SGDynamics",
            dependencies: ["CSGDynamicsKernels"],
            resources: [.copy("Resources")]
        ),
        .target(name: "SGDynamicsReport", dependencies: ["SGDynamics"]),
        // The SQLite run store: every study run with its spec, status, claim, reading and artifacts.
        .target(name: "SGDynamicsStore", dependencies: ["SGDynamics", .product(name: "GRDB", package: "GRDB.swift")]),
        .executableTarget(
            name: "sgdyn",
            dependencies: [
                "SGDynamics", "SGDynamicsReport", "SGDynamicsStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Counts heap allocations for `sgdyn-bench` (glibc only) by interposing malloc; linked into
        // `sgdyn-bench` alone, never into the shipped `sgdyn`.
        .target(name: "CAllocationCounter"),
        // `swift run -c release sgdyn-bench`: steps per second and allocations per step of the hot
        // loops, the ensemble workloads W1–W3 and W9, and the peer tools' rates. Not a product.
        .executableTarget(
            name: "sgdyn-bench",
            dependencies: [
                "SGDynamics", "SGDynamicsReport", "CAllocationCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SGDynamicsTests", dependencies: ["SGDynamics"]),
        .testTarget(name: "SGDynamicsReportTests", dependencies: ["SGDynamicsReport"]),
        .testTarget(name: "SGDynamicsStoreTests", dependencies: ["SGDynamicsStore", "SGDynamics"]),
        .testTarget(name: "sgdynTests", dependencies: ["sgdyn"]),
        // Runs the built `sgdyn-bench` (its help and its usage errors; not the timings).
        .testTarget(name: "sgdynBenchTests", dependencies: ["sgdyn-bench"]),
    ]
)
