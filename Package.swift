// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Tally",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tally", targets: ["tally"]),
        // `tally mcp` runs it: the MCP SDK links networking libraries the dashboard must not load.
        .executable(name: "tally-mcp", targets: ["tally-mcp"]),
        .library(name: "TallyCore", targets: ["TallyCore"]),
        .library(name: "TallyUI", targets: ["TallyUI"]),
        .library(name: "TallyApp", targets: ["TallyApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        // Already part of postgres-nio; named so TallyCore can import NIO and TLS types directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        // Already part of postgres-nio; named so TallyCore can hash rows (MD5) for verification.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.0"),
        // The Model Context Protocol (stdio server) for `tally mcp`; used only by TallyMCP.
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncursesw5-dev"])]),
        .target(
            name: "TallyCore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the change watcher's one prepared statement (see ChangeWatcher).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "TallyUI",
            dependencies: ["TallyCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // The running dashboard: its session (background work, threads, the wake pipe), its loop
        // over any `TerminalBackend`, the theme catalog that reads theme files.
        .target(
            name: "TallyApp",
            dependencies: ["TallyCore", "TallyUI", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "TallyTerminal", dependencies: ["CNcursesw", "TallyCore", "TallyUI"]),
        // The WorkOS MCP tools served from TallyCore; the only module that knows the protocol.
        .target(
            name: "TallyMCP",
            dependencies: [
                "TallyCore",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The SDK's HTTP transport brings in FoundationNetworking, which needs libcurl; a build
            // with --static-swift-stdlib does not link it by itself.
            linkerSettings: [.linkedLibrary("curl", .when(platforms: [.linux]))]
        ),
        // What both executables share: the global options, opening the workspace, one-line errors.
        .target(
            name: "TallyCLI",
            dependencies: [
                "TallyCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "tally-mcp",
            dependencies: [
                "TallyCLI", "TallyCore", "TallyMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "tally",
            dependencies: [
                "TallyCore", "TallyUI", "TallyApp", "TallyTerminal", "TallyCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared by the test targets: temp dirs, fixture caches, a throwaway PostgreSQL, a tmux
        // driver, a clock tests move, a terminal without a screen.
        .target(
            name: "TallyTestSupport",
            dependencies: ["TallyCore", "TallyUI", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Tests/TallyTestSupport"
        ),
        .testTarget(
            name: "TallyCoreTests",
            dependencies: ["TallyCore", "TallyTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "TallyUITests", dependencies: ["TallyUI", "TallyCore", "TallyApp", "TallyTestSupport"]),
        .testTarget(
            name: "TallyAppTests",
            dependencies: ["TallyApp", "TallyUI", "TallyCore", "TallyTestSupport"]
        ),
        .testTarget(
            name: "TallyIntegrationTests",
            dependencies: ["TallyCore", "TallyTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "TallyMCPTests",
            dependencies: ["TallyMCP", "TallyCore", "TallyTestSupport", .product(name: "MCP", package: "swift-sdk")]
        ),
        .testTarget(name: "TallyCLITests", dependencies: ["TallyCLI"]),
        .testTarget(name: "TallyEndToEndTests", dependencies: ["TallyCore", "TallyTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
