// swift-tools-version: 6.0
import PackageDescription

// Layers, bottom to top:
//   SystemIO (file and process calls outside LMDB) · LedgerContract (events, JSON in and
//   out, timestamps, SHA-256, byte coding, local dates — no storage) above SHA256NI (SHA-256 blocks on the
//   x86 SHA extensions) · SHA256Wide (SHA-256 lanes for AVX-512)
//   → WorkingTime → DossierRules (the domain: lifecycle, reference data, the dossier fold)
//   beside CLMDB → LMDB (the only code that calls mdb_*) → LedgerStore (the event log)
//   → Projections (the Ledger: append, projections, reports)
//   → Audit (replay, timelines, accountability, XES) and Subscriptions (checkpoints, feeds)
//   → ReportSite (the static HTML site), Warehouse (the national warehouse on PostgreSQL) → LedgerCLI → dossier-ledger.
// `SHA256Wide` holds one function: the verify chain's SHA-256 lanes compiled for AVX-512.
// LedgerStore calls it only where /proc/cpuinfo lists what it needs (`SHA256.Lanes.Kernel.avx512`).
// `SHA256NI` holds one function: SHA-256's block compression built for the SHA extensions.
// LedgerContract calls it only where CPUID reports them (`SHA256.Implementation.shaExtensions`).
#if arch(x86_64)
let wideInstructions: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
let shaInstructions: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-msha", "-Xcc", "-msse4.1"])]
#else
let wideInstructions: [SwiftSetting] = []
let shaInstructions: [SwiftSetting] = []
#endif

let package = Package(
    name: "dossier-ledger",
    products: [
        .executable(name: "dossier-ledger", targets: ["dossier-ledger"]),
        .executable(name: "ledger-bench", targets: ["ledger-bench"]),
        .library(name: "DossierLedger", targets: ["LedgerContract", "WorkingTime", "DossierRules", "Projections", "Audit", "Subscriptions", "ReportSite", "Warehouse"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(name: "SystemIO"),
        .target(name: "SHA256NI", swiftSettings: shaInstructions),
        .target(name: "LedgerContract", dependencies: ["SHA256NI"]),
        .target(name: "WorkingTime", dependencies: ["LedgerContract"]),
        .target(name: "DossierRules", dependencies: ["LedgerContract", "WorkingTime"]),
        .target(name: "SHA256Wide", dependencies: ["LedgerContract"], swiftSettings: wideInstructions),
        .target(name: "LMDB", dependencies: ["CLMDB", "SystemIO"]),
        .target(name: "LedgerStore", dependencies: ["LMDB", "LedgerContract", "SHA256Wide", "SystemIO"]),
        .target(name: "Projections", dependencies: ["DossierRules", "LedgerStore", "LMDB", "LedgerContract", "WorkingTime", "SystemIO"]),
        .target(name: "ProvinceGenerator", dependencies: ["DossierRules", "LedgerContract", "WorkingTime", "SystemIO"]),
        .target(name: "Audit", dependencies: ["Projections", "DossierRules", "LedgerStore", "LedgerContract", "WorkingTime", "LMDB", "SystemIO"]),
        .target(name: "Subscriptions", dependencies: ["Projections", "DossierRules", "LedgerStore", "LedgerContract", "LMDB", "SystemIO"]),
        .target(name: "Warehouse", dependencies: ["Projections", "DossierRules", "LedgerContract", "WorkingTime", "SystemIO"]),
        .target(name: "ReportSite", dependencies: ["Audit", "Projections", "DossierRules", "LedgerContract", "WorkingTime", "SystemIO"]),
        .target(name: "LedgerCLI", dependencies: ["Audit", "Subscriptions", "ReportSite", "Warehouse", "Projections", "ProvinceGenerator", "DossierRules",
                                                 "LedgerContract", "WorkingTime", "SystemIO"]),
        .executableTarget(name: "dossier-ledger", dependencies: ["LedgerCLI"]),
        .executableTarget(
            name: "ledger-bench",
            dependencies: ["Projections", "Audit", "ProvinceGenerator", "LMDB", "LedgerStore", "DossierRules", "LedgerContract", "WorkingTime", "SystemIO"],
            path: "Benchmarks/ledger-bench"
        ),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "SystemIO"]),
        .testTarget(name: "LedgerContractTests", dependencies: ["LedgerContract"]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerContract", "LMDB"]),
        .testTarget(name: "WorkingTimeTests", dependencies: ["WorkingTime", "LedgerContract", "ProvinceGenerator"]),
        .testTarget(name: "DossierRulesTests", dependencies: ["DossierRules", "LedgerContract", "WorkingTime"]),
        .testTarget(name: "ProvinceGeneratorTests", dependencies: ["ProvinceGenerator", "DossierRules", "LedgerContract", "WorkingTime"]),
        .testTarget(name: "LedgerTests", dependencies: ["Projections", "Audit", "Subscriptions", "ProvinceGenerator", "DossierRules",
                                                       "LedgerStore", "LedgerContract", "LMDB", "WorkingTime"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "LedgerContract"]),
        .testTarget(name: "CLITests", dependencies: ["LedgerCLI", "Projections", "DossierRules", "SystemIO"]),
    ]
)
