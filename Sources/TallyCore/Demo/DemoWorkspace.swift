import Foundation
import GRDB

/// `tally demo`: a local SQLite primary filled with demo data and a cache synced from it.
public struct DemoWorkspace: Sendable {
    public let directory: String
    public var primaryPath: String { directory + "/primary.db" }
    public var cachePath: String { directory + "/cache.db" }
    public var primaryURL: String { "sqlite://" + primaryPath }
    /// A config that opens this workspace: `tally --config <dir>/config.toml`.
    public var configPath: String { directory + "/config.toml" }

    public init(directory: String) {
        self.directory = FileSafety.expand(directory)
    }

    /// The default place: `$XDG_DATA_HOME/tally/demo` (or `~/.local/share/tally/demo`).
    public static func defaultDirectory(environment: [String: String]) -> String {
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? FileSafety.home) + "/.local/share")
        return base + "/tally/demo"
    }

    /// Makes the workspace anew (replacing an earlier demo in the same directory) and syncs the
    /// cache from the primary in chunks, exactly as a real sync does.
    @discardableResult
    public func create(tasks: Int, days: Int, now: Date = Date(), timeZone: TimeZone = .current) async throws -> SyncSummary {
        try FileSafety.ensureDirectory(directory)
        try checkReplaceable()
        for file in [primaryPath, cachePath] {
            for suffix in ["", "-wal", "-shm", ".tally-counts", ".tally-digests"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
        // The tasks are made and written a batch at a time: memory stays bounded whatever `tasks`.
        let plan = DemoData.plan(taskCount: tasks, days: days, now: now, timeZone: timeZone)
        let primary = try SQLitePrimary(path: primaryPath, create: true)
        let primaryIndexes = try await primary.fillDemo(plan)
        // The large workload keeps every row (benchmarks compare versions on the same rows); a
        // small demo keeps what the WorkOS MCP server's sync keeps, as a real cache does.
        let everything = tasks >= 10_000
        var config = """
            \(Self.configHeader) Open this workspace with: tally --config \(configPath)
            cache = "\(cachePath)"
            primary = "\(primaryURL)"

            """
        if everything { config += "scope = \"all\"\n" }
        try FileSafety.writePrivate(config, to: configPath)
        let cache = try CacheStore(path: cachePath)
        var options = SyncOptions()
        options.scope = everything ? .everything : .workos
        // From a file beside it, a chunk costs no round trip: smaller chunks keep a
        // million-task demo's rows in flight small (10,000-row chunks once took its peak from
        // 355 to 388 MB). 5,000 against 2,000, alternating three times each: 33.1 s (30.2–35.4)
        // against 34.4 s (33.7–34.9), peak 222–255 MB against 205–230 MB.
        options.fullChunkSize = Self.warmUpChunk
        let engine = SyncEngine(cache: cache, primary: primary, options: options)
        // The new cache's task indexes wait until its rows are in (no one else has it open yet).
        let indexes = try await cache.writeWithoutTransaction { db in try SetAsideIndexes.drop(on: ["cached_tasks"], db) }
        // The primary's task indexes are made while the cache syncs, on the core the sync leaves
        // idle (it reads the rows by id, which needs none of them).
        let finishing = Task { try await primary.finishDemo(primaryIndexes) }
        let summary: SyncSummary
        do {
            summary = try await engine.run(kind: .warmup)
        } catch {
            try? await cache.writeWithoutTransaction { db in try SetAsideIndexes.restore(indexes, db) }
            _ = await finishing.result
            throw error
        }
        try await cache.writeWithoutTransaction { db in try SetAsideIndexes.restore(indexes, db) }
        try await finishing.value
        // Both logs emptied into their files: no log of hundreds of megabytes left beside them.
        try await primary.checkpoint()
        try await cache.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        await primary.close()
        // The first frame takes its counts from beside the cache (`KeptCounts`), once the file's
        // last write is a clock tick behind.
        try await cache.keepCountsOnceSettled()
        return summary
    }

    /// Rows per chunk of the demo's warm-up (`SyncOptions.fullChunkSize`).
    static let warmUpChunk = 5000

    /// The config's first words: what marks a directory as an earlier demo's.
    static let configHeader = "# Written by `tally demo`."

    /// Throws unless the directory holds nothing `create` would delete, or an earlier demo (its
    /// config says `tally demo` wrote it). So `--dir ~/.workos-cache`, where a real `cache.db`
    /// lives, deletes nothing. An earlier demo is replaced whatever was done with it since: the
    /// directory is the demo's own, and re-running the demo is how a person starts it over.
    func checkReplaceable() throws {
        let fm = FileManager.default
        let present = [primaryPath, cachePath].filter { fm.fileExists(atPath: $0) }
        guard !present.isEmpty else { return }
        let config = (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? ""
        guard config.hasPrefix(Self.configHeader) else {
            let names = present.map { ($0 as NSString).lastPathComponent }.joined(separator: " and ")
            throw TallyError.badArgument("Refusing to make a demo in \(directory): it holds \(names), which no earlier "
                + "`tally demo` made, and a demo would replace \(present.count == 1 ? "it" : "them"); choose another --dir.")
        }
    }
}
