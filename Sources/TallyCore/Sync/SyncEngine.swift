import Foundation
import Synchronization
import GRDB
import GRDBSQLite
import Logging

/// Tunables of a sync (the defaults are described in the README, "How it works").
public struct SyncOptions: Sendable {
    /// Rows per chunk of an incremental sync: one fetch, one cache transaction (`Config.chunkSize`).
    public var chunkSize = Config().chunkSize
    /// Rows per chunk of a full sync (`Config.fullChunkSize`).
    public var fullChunkSize = Config().fullChunkSize
    public var maxAttempts = 3
    /// First retry delay; later ones double (1 s, 2 s, 4 s), each with ±25 % jitter.
    public var baseDelay: Double = 1
    /// Incremental syncs re-read this many seconds before the watermark, so a transaction that
    /// committed late with an earlier `updated_at` is not skipped (re-reading is idempotent).
    public var lookback: Double = 2
    /// A `running` job whose heartbeat is older than this is taken as dead.
    public var staleHeartbeat: Double = 300
    /// Which primary rows the contract tables hold (by default what the WorkOS MCP server keeps).
    public var scope = SyncScope.workos
    /// How many days of history to keep in Tally's own tables when the scope keeps fewer done
    /// tasks (`history_days`; 0: none). Read from the primary once a day (`backfillHistory`).
    public var historyDays = Config.defaultHistoryDays
    /// Seconds between scheduled verification passes (`verify_every`); 0: never.
    public var verifyEvery = Config.defaultVerifyEvery
    /// Cache rows one scheduled verification slice covers at most.
    public var verifySliceRows = 25_000
    /// Tasks whose cognitive loads one read and one cache transaction carry: a warm-up reads
    /// its every task's load in slices of this many (`SyncEngine+Life`).
    public var loadSlice = 50_000

    public init() {}

    /// The options `config` asks for.
    public init(_ config: Config) {
        chunkSize = config.chunkSize
        fullChunkSize = config.fullChunkSize
        scope = config.scope
        historyDays = config.historyDays
        verifyEvery = config.verifyEvery
    }
}

/// What a finished job did, for `tally sync`'s summary line.
public struct SyncSummary: Sendable, Equatable {
    public var job: SyncJob
    public var failedNamespaces: [Namespace: String]
    public var deleted: Int
    public var outboxApplied: Int
    /// What this job's verification found (the whole cache, or a slice of the scheduled pass).
    public var verify: VerifyReport?
    /// Why it did not verify when asked to, or how verifying failed (the sync itself stands).
    public var verifyFailure: String?
    /// The cache was pointed at another primary: this job refilled it from the new one.
    public var primarySwitch: PrimarySwitch?
    /// The cache's digests this job ended with, for `CacheStore.keepDigests` (asked for with
    /// `run`'s `keepingDigests`; nil when the job cannot vouch for them).
    public var digestsToKeep: KeptDigests.Pending?
    /// Whether the job took the cache's digests from the file beside it instead of scanning.
    public var usedKeptDigests = false

    public var succeeded: Bool { failedNamespaces.isEmpty }
}

/// Copies the primary into the cache as jobs: chunked, resumable, retried, recorded.
///
/// Every chunk is one cache transaction that writes its rows, advances the namespace's
/// watermark and the job's progress together, so a process killed at any point leaves a
/// consistent cache and a job that resumes from its last chunk.
public final class SyncEngine: Sendable {
    public let cache: CacheStore
    public let primary: any PrimaryStore
    public let options: SyncOptions
    /// Waits between retries (on `clock` unless a test passes its own).
    let sleep: @Sendable (Double) async throws -> Void
    /// The time a job's verification goes by (its schedule, its records); tests pass a `TestClock`.
    let clock: any TallyClock
    let logger: Logger
    /// Applies queued completions before fetching (set by the completion service).
    let beforeFetch: (@Sendable (Int64) async -> Int)?
    /// Set during a job to the namespace that could not reach the primary after every retry.
    let unreachable = Flag()
    /// Which database the primary is, asked once (`PrimaryDigests.identity`).
    let knownIdentity = IdentityBox()

    /// A namespace shared across the job's tasks.
    final class Flag: Sendable {
        private let state = Mutex<Namespace?>(nil)
        var value: Namespace? {
            get { state.withLock { $0 } }
            set { state.withLock { $0 = newValue } }
        }
    }

    public init(cache: CacheStore, primary: any PrimaryStore, options: SyncOptions = SyncOptions(),
                logger: Logger = Logger(label: "tally.sync"),
                beforeFetch: (@Sendable (Int64) async -> Int)? = nil,
                sleep: (@Sendable (Double) async throws -> Void)? = nil,
                clock: any TallyClock = SystemClock()) {
        self.cache = cache
        self.clock = clock
        self.primary = primary
        self.options = options
        self.logger = logger
        self.beforeFetch = beforeFetch
        self.sleep = sleep ?? { seconds in try await clock.sleep(for: seconds) }
    }

    /// The primary's identity once asked.
    final class IdentityBox: Sendable {
        private let state = Mutex<PrimaryIdentity?>(nil)
        var value: PrimaryIdentity? {
            get { state.withLock { $0 } }
            set { state.withLock { $0 = newValue } }
        }
    }

    /// Per-namespace position of a job, persisted in the job's `watermark` JSON.
    struct Progress: Codable, Sendable {
        var full = false
        var positions: [String: Watermark] = [:]
        var done: [String] = []
        /// Per namespace of a full sync, the primary's newest change when its read began: the
        /// watermark once the namespace is read whole (optional: older jobs saved none).
        var highWater: [String: Watermark]?

        /// How a namespace is read: a full sync reads whole tables by id.
        func order(_ namespace: Namespace) -> ReadOrder {
            full || !namespace.hasUpdatedAt ? .ids : .changes
        }

        /// Rows per chunk for this job.
        func chunkSize(_ options: SyncOptions) -> Int {
            max(1, full ? options.fullChunkSize : options.chunkSize)
        }

        /// Rows of a namespace's first chunk: a full sync's is small, so the cache writes while
        /// the primary answers the next instead of waiting for 10,000 rows before its first.
        func firstChunkSize(_ options: SyncOptions) -> Int {
            full ? min(chunkSize(options), SyncEngine.firstFullChunk) : chunkSize(options)
        }

        /// The chunks `rows` rows take (at least one).
        func chunks(_ rows: Int, _ options: SyncOptions) -> Int {
            let first = firstChunkSize(options)
            guard rows > first else { return 1 }
            return 1 + Int((Double(rows - first) / Double(chunkSize(options))).rounded(.up))
        }
    }

    // MARK: Running a job

    /// Runs one sync job to its end.
    ///
    /// - Parameters:
    ///   - full: read everything and remove cache rows the primary no longer has.
    ///   - resume: continue the interrupted job with this id from its last chunk.
    ///   - verify: after syncing, verify the whole cache or the scheduled pass's next slice
    ///     (`SyncEngine+Verify.swift`); nil: never (away from a primary that should sleep).
    ///   - onProgress: called after each chunk with the job as persisted.
    /// - Throws: `TallyError.syncAlreadyRunning` when another job (in any process) is running.
    @discardableResult
    public func run(kind: SyncJob.Kind, namespaces: [Namespace] = Namespace.allCases, full: Bool = false,
                    resume: Int64? = nil, verify: VerifyRequest? = nil, keepingDigests: Bool = false,
                    onProgress: (@Sendable (SyncJob) -> Void)? = nil) async throws -> SyncSummary {
        var progress = Progress(full: full || kind == .full || kind == .warmup)
        var jobNamespaces = namespaces
        if let resume {
            let old = try await cache.read { db in try SyncJob.fetchOne(db, key: ["job_id": resume]) }
            guard let old, old.status.isResumable else {
                throw TallyError.badArgument("Job \(resume) is not an interrupted, failed or cancelled job.")
            }
            if let data = old.watermark?.data(using: .utf8), var saved = try? JSONDecoder().decode(Progress.self, from: data) {
                if saved.full && saved.highWater == nil {
                    // A full job saved before full syncs read by id: its positions are in change
                    // order, so those namespaces start again.
                    saved.positions = saved.positions.filter { Namespace(rawValue: $0.key)?.hasUpdatedAt == false }
                }
                progress = saved
            }
            jobNamespaces = old.namespaces.isEmpty ? Namespace.allCases : old.namespaces
        }
        // The primary gets ready (a PostgreSQL connection) while the job is claimed and the
        // outbox replayed, instead of after. A new incremental job asks for the primary's id
        // digests now too: the tasks' count is the longest wait of such a job, and the server
        // counts while the job is claimed and its first rows read (`startRemoteDigests`).
        let primary = self.primary
        let preparing = Task { await primary.prepare() }
        let window = options.scope.window(now: Date())
        var remoteDigests = resume == nil && !progress.full ? startRemoteDigests(jobNamespaces, scope: window) : [:]
        defer { for task in remoteDigests.values { task.cancel() } }
        // The cache's likewise, from a snapshot taken before any of the job's writes to the
        // namespaces (`startLocalDigests`). Both are asked again once the outbox is replayed if
        // that applied anything: its writes move them.
        var localDigests = resume == nil && !progress.full ? startLocalDigests(jobNamespaces, recording: keepingDigests) : nil
        defer { localDigests?.cancel() }
        await localDigests?.snapshot.wait()
        var job = try await claim(kind: resume == nil ? kind : .resume, namespaces: jobNamespaces, progress: progress)
        unreachable.value = nil
        if let resume {
            let resumedBy = job.id
            _ = try? await cache.write { db in
                try SyncJobStore.markResumed(resume, by: resumedBy, at: Timestamp.format(Date()), db)
            }
        }
        logger.info("sync job \(job.id ?? 0) started", metadata: ["kind": "\(job.kind.rawValue)", "primary": "\(primary.displayName)"])
        onProgress?(job)

        // Which primary filled the cache: another one's rows are replaced by a full sync of
        // every namespace, and the writes queued for it are not sent to this one.
        let provenance = await provenance()
        var primarySwitch: PrimarySwitch?
        if case .switched(let old, let new) = provenance {
            primarySwitch = try await beginRefill(from: old, to: new, job: &job)
            progress = Progress(full: true)
            for task in remoteDigests.values { task.cancel() }  // a refill reads every row
            localDigests?.cancel()
            localDigests = nil
            jobNamespaces = Namespace.allCases
        }

        var outboxApplied = 0
        if primarySwitch == nil, let beforeFetch, let id = job.id { outboxApplied = await beforeFetch(id) }
        if outboxApplied > 0 {
            for task in remoteDigests.values { task.cancel() }
            remoteDigests = [:]
            localDigests?.cancel()
            localDigests = nil
        }

        var failed: [Namespace: String] = [:]
        // Plan: how many chunks remain per namespace, for an honest progress bar, stored with the
        // first write that follows. An incremental job plans one chunk a namespace and counts a
        // namespace when its first chunk comes full (`sync`): counting all four first was four
        // round trips of every sync, for the few that read more than a chunk. Counting only feeds
        // the bar: no retries, and a failure counts as one chunk (the fetch that follows records
        // the real failure); a primary that could not get ready is not counted, which would wait
        // for it again.
        let ready = await preparing.value
        var total = 0
        for namespace in jobNamespaces where !progress.done.contains(namespace.rawValue) {
            var remaining = 0
            if ready, progress.full {
                let start = await startWatermark(namespace, progress: progress)
                remaining = (try? await primary.count(namespace, after: start, order: progress.order(namespace),
                                                       scope: window)) ?? 0
            }
            total += progress.chunks(remaining, options)
        }
        job.chunksTotal = job.chunksCompleted + total

        // A full sync writes the whole cache: let the log grow to about 32 MB between
        // checkpoints instead of 4 MB, so pages rewritten by many chunks are copied back to the
        // file once instead of at every checkpoint (a quarter of a full sync's time).
        // Its chunks also keep the pages they touch in a page cache of 64 MB instead of SQLite's
        // 2 MB: the tasks' eight indexes take rows in no particular order, and with the small
        // cache each chunk read their pages back from the file and wrote them to the log again
        // (the kernel's copying was two fifths of a million-task warm-up).
        let bulk = progress.full
        if bulk {
            _ = try? await cache.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000; PRAGMA cache_size = -\(Self.bulkCacheKiB)")
            }
        }
        // Every namespace's rows first, then each one's end (its deletion check, its extras): an
        // incremental job's digests are asked for now and counted by the primary meanwhile. The
        // tasks come last: after a warm-up their order indexes are made while the other
        // namespaces' ends and WorkOS's other tables are read (`read`).
        let unfinished = jobNamespaces.filter { !progress.done.contains($0.rawValue) }
        let pending = unfinished.filter { $0 != .tasks } + unfinished.filter { $0 == .tasks }
        // Every namespace's first chunk, its digests (the cache's begun before the claim), its
        // extras and WorkOS's other tables are asked for before anything is written.
        let firstChunks = ready && !progress.full ? await startFirstChunks(pending, progress: progress, scope: window) : [:]
        var early = ready && !progress.full ? startDigests(pending, remote: remoteDigests, local: localDigests, scope: window) : EarlyDigests()
        early.firstChunks = firstChunks
        if ready, !progress.full { early.extras = startExtras(pending) }
        let earlyLife = ready && !progress.full ? startLife() : nil
        defer { earlyLife?.cancel() }
        defer { early.cancel() }
        var read: [ReadNamespace] = []
        let written = await writeFirstChunks(pending, early: early, job: &job, progress: &progress, onProgress: onProgress)
        for namespace in pending {
            do {
                try Task.checkCancellation()
                if let done = written[namespace] {
                    read.append(done)
                    continue
                }
                read.append(try await self.read(namespace, job: &job, progress: &progress, scope: window, early: early,
                                                onProgress: onProgress))
            } catch {
                if noteFailure(error, of: namespace, job: &job, failed: &failed) { break }
            }
        }
        // An incremental job reads WorkOS's other tables while its namespaces end: the step reads
        // the tasks the job wrote, not what their ends do (5 ms of a 10-row sync were its plan and
        // its round trip after them). A full job reads them after, so that its pruning of the
        // loads sees the tasks its ends removed.
        let lifeBeside = !progress.full && job.status != SyncJob.Status.cancelled && unreachable.value == nil && !read.isEmpty
        let jobSoFar = job
        async let lifeRead: Void = lifeBeside ? syncLife(job: jobSoFar, full: false, early: earlyLife) : ()
        var ended: [NamespaceEnd] = []
        for namespace in read where job.status != SyncJob.Status.cancelled {
            do {
                try Task.checkCancellation()
                ended.append(try await finish(namespace, job: &job, progress: &progress, scope: window))
            } catch {
                if noteFailure(error, of: namespace.namespace, job: &job, failed: &failed) { break }
            }
        }

        if failed.isEmpty, jobNamespaces.contains(.tasks), job.status != SyncJob.Status.cancelled {
            await backfillHistory(job: job, force: progress.full)
        }
        // WorkOS's other tables (energy, brain dumps, client memory, personal tasks, …), when the
        // primary answered for at least one namespace: SyncEngine+Life.
        await lifeRead
        if !lifeBeside, job.status != SyncJob.Status.cancelled, unreachable.value == nil, !ended.isEmpty {
            await syncLife(job: job, full: progress.full, loadsRead: read.contains { $0.loadsRead } && ended.contains { $0.namespace == .tasks })
        }
        // The order indexes a warm-up set aside were being made meanwhile (`read`).
        for namespace in read {
            do {
                try await namespace.indexes?.value
            } catch {
                _ = noteFailure(error, of: namespace.namespace, job: &job, failed: &failed)
            }
        }
        let cache = self.cache
        if bulk {
            await cache.asideCheckpointsDone()
            _ = try? await Self.uncancelled {
                try await cache.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000; PRAGMA cache_size = -2000")
                    _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                }
            }
        }

        // Verified only after a sync that went well (differences it would have fixed are not
        // differences). A full sync of everything has just read every row: nothing to verify.
        // Otherwise rows of unknown origin, or the same database reached at another place, are
        // verified whole when verifying is allowed at all.
        let readEverything = progress.full && failed.isEmpty && Set(jobNamespaces) == Set(Namespace.allCases)
            && job.status != SyncJob.Status.cancelled
        var verification: (report: VerifyReport?, failure: String?) = (nil, nil)
        if failed.isEmpty, job.status != SyncJob.Status.cancelled, var request = verify,
           request == .whole || !readEverything {
            if case .unrecorded = provenance { request = .whole }
            verification = await self.verify(request, job: &job, now: clock.now, scope: window)
        }
        let verifiedWhole = verification.report?.whole == true || readEverything

        let now = Date()
        job.finishedAt = Timestamp.format(now)
        job.heartbeatAt = job.finishedAt
        // What a failed job resumes from: the namespaces it finished are skipped.
        job.watermark = Self.encode(progress)
        if failed.isEmpty {
            job.status = SyncJob.Status.completed
            job.progressPercent = 100
            job.chunksCompleted = max(job.chunksCompleted, job.chunksTotal)
        } else if job.status != SyncJob.Status.cancelled {
            job.status = SyncJob.Status.failed
        }
        if !failed.isEmpty {
            job.errorMessage = failed.sorted { $0.key < $1.key }.map { "\($0.key.rawValue): \($0.value)" }
                .joined(separator: "; ")
        }
        let finalJob = job
        let allDone = failed.isEmpty
        let ends = ended
        let syncedAll = allDone && Set(jobNamespaces) == Set(Namespace.allCases) && job.status != SyncJob.Status.cancelled
        let keys = Dictionary(uniqueKeysWithValues: ends.map { ($0.namespace, watermarkKey($0.namespace)) })
        let fullReadAt = readEverything ? clock.now : nil
        let keptSchema = await primary.schemaToKeep()
        // One transaction: the job's end and every synced namespace's (`NamespaceEnd`). Written
        // even when the job was cancelled: a cancelled job says so, and resumes from its chunks.
        try await Self.uncancelled { try await cache.write { db in
            for end in ends { try end.write(db, jobID: finalJob.id, watermarkKey: keys[end.namespace] ?? "") }
            try self.recordProvenance(provenance, synced: syncedAll, verifiedWhole: verifiedWhole, db)
            if let fullReadAt { try self.recordFullRead(at: fullReadAt, db) }
            try SyncJobStore.save(finalJob, db)
            if let keptSchema { try CacheMeta.set(db, KeptSchema.metaKey, keptSchema, at: now) }
            if allDone {
                try CacheMeta.set(db, CacheMeta.lastSyncAt, Timestamp.format(now), at: now)
                try CacheMeta.set(db, Self.ownLastSyncKey, Timestamp.format(now), at: now)
                // Applied completions are kept a week for undo and for the record.
                try OutboxStore.prune(appliedBefore: Timestamp.format(now.addingTimeInterval(-7 * 86400)), db)
            }
        } }
        logger.info("sync job \(job.id ?? 0) \(job.status.rawValue)", metadata: ["rows": "\(job.rowsWritten)"])
        onProgress?(job)
        var summary = SyncSummary(job: job, failedNamespaces: failed, deleted: ended.reduce(0) { $0 + $1.deleted },
                                  outboxApplied: outboxApplied, verify: verification.report, verifyFailure: verification.failure,
                                  primarySwitch: primarySwitch)
        summary.usedKeptDigests = localDigests?.origin.kept ?? false
        // What the cache holds now is what both sides agreed on, when every compared namespace
        // agreed at once and nothing else wrote its rows: not a replay, a refill, a verification.
        let compared = Self.comparedByDigest(jobNamespaces)
        let agreed = Dictionary(uniqueKeysWithValues: ended.compactMap { end in end.agreed.map { (end.namespace, $0) } })
        if keepingDigests, allDone, job.status == SyncJob.Status.completed, primarySwitch == nil, outboxApplied == 0,
           verification.report == nil, !compared.isEmpty, compared.allSatisfy({ agreed[$0] != nil }),
           let dataVersion = localDigests?.origin.dataVersion {
            summary.digestsToKeep = KeptDigests.Pending(dataVersion: dataVersion, digests: agreed.filter { compared.contains($0.key) })
        }
        return summary
    }

    /// Records why `namespace` failed; true when the job was cancelled (nothing more is tried).
    private func noteFailure(_ error: any Error, of namespace: Namespace, job: inout SyncJob,
                             failed: inout [Namespace: String]) -> Bool {
        switch error {
        case is CancellationError:
            job.status = SyncJob.Status.cancelled
            failed[namespace] = "cancelled"
            return true
        case let failure as ClassifiedFailure:
            failed[namespace] = failure.message
        default:
            failed[namespace] = error.userMessage
        }
        return false
    }

    /// The page cache (KiB) of a full sync's writes; SQLite's own default (2 MB) after it.
    static let bulkCacheKiB = 65_536

    /// Rows of the first chunk of a table a full sync reads (`Progress.firstChunkSize`).
    static let firstFullChunk = 2000

    /// Runs `body` in a task of its own, which the caller's cancellation does not reach: the
    /// bookkeeping that ends a job is written even when the job was cancelled.
    static func uncancelled<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }
}
