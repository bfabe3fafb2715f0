// swift-tools-version: 6.0
import PackageDescription

// Layers, bottom to top: CLMDB (the C library) → LMDB (checked wrapper; the only
// place that calls mdb_*) → LedgerStore (event log, codec, hash chain) →
// WorkingTime + DossierRules (domain rules) → Projections (dossier state,
// violations, KPIs, the Ledger facade) → Audit (replay, timelines,
// accountability) and Subscriptions (durable checkpoints, live follow) →
// LedgerCLI → dossier-ledger.
let package = Package(
    name: "dossier-ledger",
    products: [
        .executable(name: "dossier-ledger", targets: ["dossier-ledger"]),
        .executable(name: "ledger-bench", targets: ["ledger-bench"]),
        .library(name: "DossierLedger", targets: ["Projections", "LedgerStore", "WorkingTime", "DossierRules"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        .target(name: "LedgerStore", dependencies: ["LMDB", "WorkingTime"]),
        .target(name: "WorkingTime"),
        .target(name: "DossierRules", dependencies: ["LedgerStore", "WorkingTime"]),
        .target(name: "Projections", dependencies: ["DossierRules", "LedgerStore", "WorkingTime", "LMDB"]),
        .target(name: "ProvinceGenerator", dependencies: ["WorkingTime"]),
        .target(name: "Audit", dependencies: ["Projections", "DossierRules", "LedgerStore", "WorkingTime", "LMDB"]),
        .target(name: "Subscriptions", dependencies: ["Projections", "DossierRules", "LedgerStore", "LMDB"]),
        .target(name: "LedgerCLI", dependencies: ["Audit", "Subscriptions", "Projections", "ProvinceGenerator"]),
        .executableTarget(name: "dossier-ledger", dependencies: ["LedgerCLI"]),
        .executableTarget(
            name: "ledger-bench",
            dependencies: ["Projections", "Audit", "ProvinceGenerator", "LMDB", "LedgerStore", "DossierRules"],
            path: "Benchmarks/ledger-bench"
        ),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore"]),
        .testTarget(name: "WorkingTimeTests", dependencies: ["WorkingTime"]),
        .testTarget(name: "ProvinceGeneratorTests", dependencies: ["ProvinceGenerator", "WorkingTime"]),
        .testTarget(name: "LedgerTests", dependencies: ["Projections", "Audit", "Subscriptions", "ProvinceGenerator"]),
        .testTarget(name: "CLITests", dependencies: ["LedgerCLI"]),
    ]
)
