// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "gradlog",
    products: [
        .executable(name: "gradlog", targets: ["GradlogCLI"]),
        .executable(name: "gradlog-fuzz", targets: ["GradlogFuzz"]),
        .executable(name: "gradlog-fuzz-safetensors", targets: ["GradlogFuzzSafeTensors"]),
        .library(name: "Gradlog", targets: ["GradlogStore", "GradlogProgram", "GradlogAutodiff", "GradlogFormats"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // SQLite from the system, through its C API only.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // zlib from the system, for storing large program texts compressed.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // glibc's malloc.h: the CLI tunes the allocator once at start (MemoryTuning.swift).
        .systemLibrary(name: "CMalloc"),
        // The CBLAS library (OpenBLAS: libopenblas0), loaded at the first matrix product.
        .target(name: "CBLAS", linkerSettings: [.linkedLibrary("dl")]),
        // Loops with instructions beyond baseline x86-64 (AVX2), chosen at run time.
        .target(name: "CKernels"),
        // The tape: ops, forward, backward, scalars and tensors. No I/O.
        .target(name: "GradlogAutodiff", dependencies: ["CBLAS", "CKernels"]),
        // The .grad language: lexer, parser, diagnostics; builds a tape.
        .target(name: "GradlogProgram", dependencies: ["GradlogAutodiff", "GradlogFormats"]),
        // File formats that are not SQLite (CSV, safetensors): readers and writers. No deps.
        .target(name: "GradlogFormats"),
        // SQLite storage: connection, migrations, run writer, readers, diff, queries.
        // migrations/ and queries/ at the top level are compiled in by the EmbedSQL plugin.
        .target(
            name: "GradlogStore",
            dependencies: ["CSQLite", "CZlib", "GradlogAutodiff", "GradlogProgram", "GradlogFormats"],
            plugins: ["EmbedSQL"]
        ),
        .executableTarget(
            name: "GradlogCLI",
            dependencies: [
                "GradlogStore",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target for the .grad parser (scripts/fuzz.sh); built normally, it replays
        // a corpus through the same entry point.
        .executableTarget(name: "GradlogFuzz", dependencies: ["GradlogProgram"]),
        // The same for the safetensors reader (scripts/fuzz.sh RUNS safetensors).
        .executableTarget(name: "GradlogFuzzSafeTensors", dependencies: ["GradlogFormats"]),
        // Build-time tool and plugin that turn migrations/*.sql and queries/*.sql into Swift source
        // (and the migrations' schema into one script for new logs, through SQLite).
        .executableTarget(name: "EmbedSQLTool", dependencies: ["CSQLite"], path: "Sources/EmbedSQLTool"),
        .plugin(name: "EmbedSQL", capability: .buildTool(), dependencies: ["EmbedSQLTool"]),

        .testTarget(name: "GradlogAutodiffTests", dependencies: ["GradlogAutodiff", "CKernels"]),
        .testTarget(name: "GradlogProgramTests", dependencies: ["GradlogProgram"]),
        .testTarget(name: "GradlogFormatsTests", dependencies: ["GradlogFormats"]),
        .testTarget(name: "GradlogStoreTests", dependencies: ["GradlogStore", "CSQLite"]),
        .testTarget(name: "GradlogCLITests", dependencies: ["GradlogCLI", "GradlogStore", "GradlogFormats"]),
    ]
)
