import Foundation
import Logging

/// The cache, the primary and the settings a command works with, opened from a `Config`.
public struct Workspace: Sendable {
    public let config: Config
    public let cache: CacheStore
    /// Nil in cache-only mode.
    public let primary: (any PrimaryStore)?

    public init(config: Config, cache: CacheStore, primary: (any PrimaryStore)?) {
        self.config = config
        self.cache = cache
        self.primary = primary
    }

    /// Opens the cache and makes, without connecting, the primary.
    ///
    /// - Parameter creatingCache: create a missing cache file. Only what can fill it does: the
    ///   dashboard with a primary (or a `sync_command`), `sync`, `demo` and `doctor --repair`.
    ///   Otherwise a missing file is `TallyError.cacheMissing`, and nothing is created (a
    ///   mistyped `--cache` must not leave an empty cache behind and report success).
    /// - Parameter preparingPrimary: start connecting to the primary (`PrimaryStore.prepare`)
    ///   while the cache opens, for a command that goes on to sync: `tally sync` then finds the
    ///   connection ready when its job starts instead of waiting for it.
    public static func open(_ config: Config, creatingCache: Bool = false, preparingPrimary: Bool = false,
                            logger: Logger = Logger(label: "tally")) async throws -> Workspace {
        let location = try config.primaryLocation()
        if !creatingCache, !FileManager.default.fileExists(atPath: FileSafety.expand(config.cachePath)) {
            throw TallyError.cacheMissing(FileSafety.expand(config.cachePath))
        }
        let primary = try location.map { try makePrimary($0, idleTimeout: config.awayAfter, logger: logger) }
        if preparingPrimary, let primary {
            await primary.expectKeptSchema()
            Task { _ = await primary.prepare() }
        }
        let cache: CacheStore
        do {
            cache = try await CacheStore.open(path: config.cachePath, readOnly: config.readOnly,
                                              createDirectory: config.cachePathIsDefault)
        } catch {
            await primary?.keptSchemaSettled()
            throw error
        }
        // The primary's columns as the last sync read them, while its connection still opens:
        // a connection made first waits for them (`expectKeptSchema`).
        if let primary, let kept = try? await cache.read({ db in try CacheMeta.value(db, KeptSchema.metaKey) }) {
            await primary.adoptKeptSchema(kept)
        }
        await primary?.keptSchemaSettled()
        return Workspace(config: config, cache: cache, primary: primary)
    }

    /// - Parameter idleTimeout: seconds after which an unused PostgreSQL connection is closed
    ///   (the config's `away_after`); nil keeps them open, for a command that ends soon anyway.
    public static func makePrimary(_ location: PrimaryLocation, idleTimeout: Double? = nil,
                                   logger: Logger = Logger(label: "tally")) throws -> any PrimaryStore {
        switch location {
        case .postgres(let url):
            return PostgresPrimary(url: url, idleTimeout: idleTimeout, logger: Logger(label: "tally.postgres"))
        case .sqlite(let path):
            return try SQLitePrimary(path: path)
        }
    }

    /// The sync engine, or nil in cache-only mode. Every job starts by replaying the outbox
    /// (writes made while the primary was away) through `writes`, in order, before it fetches.
    /// Its waits and its verification schedule go by `clock` (the scheduler's).
    public func syncEngine(writes: WritePipeline? = nil, clock: any TallyClock = SystemClock()) -> SyncEngine? {
        guard let primary, !cache.isReadOnly else { return nil }
        let writes = writes ?? WritePipeline(workspace: self, clock: clock)
        return SyncEngine(cache: cache, primary: primary, options: SyncOptions(config),
                          logger: Logger(label: "tally.sync"),
                          beforeFetch: { jobID in await writes.replayOutbox(jobID: jobID) }, clock: clock)
    }

    /// Counts a CLI command's read of `namespaces` as lookups (a lookup is one read of a namespace for something a person sees).
    /// A cache open read-only keeps no counts: there is nothing to do.
    public func countLookups(_ namespaces: [Namespace], snapshot: Snapshot, now: Date = Date()) async {
        guard !cache.isReadOnly else { return }
        let recorder = LookupRecorder(cache: cache, staleAfter: config.staleAfter)
        recorder.record(namespaces, snapshot: snapshot, now: now)
        await recorder.flush(force: true, now: now)
    }
}
