import Foundation
import GRDB
import GRDBSQLite
import Logging

/// Tunables of a sync (the defaults are described in the README, "How it works").
public struct SyncOptions: Sendable {
    /// Rows per chunk of an incremental sync: one fetch, one cache transaction.
    public var chunkSize = 500
    /// Rows per chunk of a full sync (warm-up, `--full`, a repair), which reads whole tables by
    /// id. Still one cache transaction each with the job's progress, so a kill loses at most one
    /// chunk; but every transaction rewrites the index pages its rows land on, and with 500-row
    /// chunks a 100,000-task sync took 1.7 times `psql \copy | sqlite3 .import`, with 2,000 1.2.
    public var fullChunkSize = 2000
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

    public init() {}

    /// The options `config` asks for.
    public init(_ config: Config) {
        chunkSize = config.chunkSize
        fullChunkSize = config.fullChunkSize
        scope = config.scope
    }
}

/// What a finished job did, for `tally sync`'s summary line.
public struct SyncSummary: Sendable, Equatable {
    public var job: SyncJob
    public var failedNamespaces: [Namespace: String]
    public var deleted: Int
    public var outboxApplied: Int

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
    let sleep: @Sendable (Double) async throws -> Void
    let logger: Logger
    /// Applies queued completions before fetching (set by the completion service).
    let beforeFetch: (@Sendable (Int64) async -> Int)?
    /// Set during a job to the namespace that could not reach the primary after every retry.
    let unreachable = Flag()

    /// A namespace shared across the job's tasks.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var _value: Namespace?
        var value: Namespace? {
            get { lock.withLock { _value } }
            set { lock.withLock { _value = newValue } }
        }
    }

    public init(cache: CacheStore, primary: any PrimaryStore, options: SyncOptions = SyncOptions(),
                logger: Logger = Logger(label: "tally.sync"),
                beforeFetch: (@Sendable (Int64) async -> Int)? = nil,
                sleep: @escaping @Sendable (Double) async throws -> Void = { seconds in
                    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                }) {
        self.cache = cache
        self.primary = primary
        self.options = options
        self.logger = logger
        self.beforeFetch = beforeFetch
        self.sleep = sleep
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
    }

    // MARK: Running a job

    /// Runs one sync job to its end.
    ///
    /// - Parameters:
    ///   - full: read everything and remove cache rows the primary no longer has.
    ///   - resume: continue the interrupted job with this id from its last chunk.
    ///   - onProgress: called after each chunk with the job as persisted.
    /// - Throws: `TallyError.syncAlreadyRunning` when another job (in any process) is running.
    @discardableResult
    public func run(kind: SyncJob.Kind, namespaces: [Namespace] = Namespace.allCases, full: Bool = false,
                    resume: Int64? = nil,
                    onProgress: (@Sendable (SyncJob) -> Void)? = nil) async throws -> SyncSummary {
        var progress = Progress(full: full || kind == .full || kind == .warmup)
        var jobNamespaces = namespaces
        if let resume {
            let old = try cache.read { db in try SyncJob.fetchOne(db, key: ["job_id": resume]) }
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
        var job = try claim(kind: resume == nil ? kind : .resume, namespaces: jobNamespaces, progress: progress)
        unreachable.value = nil
        if let resume {
            _ = try? cache.write { db in
                try SyncJobStore.markResumed(resume, by: job.id, at: Timestamp.format(Date()), db)
            }
        }
        logger.info("sync job \(job.id ?? 0) started", metadata: ["kind": "\(job.kind)", "primary": "\(primary.displayName)"])
        onProgress?(job)

        var outboxApplied = 0
        if let beforeFetch, let id = job.id { outboxApplied = await beforeFetch(id) }

        var failed: [Namespace: String] = [:]
        var deleted = 0
        let window = options.scope.window(now: Date())
        do {
            // Plan: how many chunks remain per namespace, for an honest progress bar.
            var total = 0
            // Counting only feeds the progress bar: no retries, and a failure counts as one chunk
            // (the fetch that follows records the real failure).
            for namespace in jobNamespaces where !progress.done.contains(namespace.rawValue) {
                let start = startWatermark(namespace, progress: progress)
                let remaining = (try? await primary.count(namespace, after: start, order: progress.order(namespace),
                                                          scope: window)) ?? 0
                total += max(1, Int((Double(remaining) / Double(progress.chunkSize(options))).rounded(.up)))
            }
            job.chunksTotal = job.chunksCompleted + total
            try persist(&job, progress: progress)
        } catch {
            // Counting failed for some namespace; the loop below records per-namespace failures.
        }

        // A full sync writes the whole cache: let the log grow to about 32 MB between
        // checkpoints instead of 4 MB, so pages rewritten by many chunks are copied back to the
        // file once instead of at every checkpoint (a quarter of a full sync's time).
        let bulk = progress.full
        if bulk { _ = try? cache.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000") } }
        defer {
            if bulk {
                _ = try? cache.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000")
                    _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                }
            }
        }
        for namespace in jobNamespaces where !progress.done.contains(namespace.rawValue) {
            do {
                try Task.checkCancellation()
                deleted += try await sync(namespace, job: &job, progress: &progress, scope: window,
                                          onProgress: onProgress)
                progress.done.append(namespace.rawValue)
                try persist(&job, progress: progress)
            } catch is CancellationError {
                job.status = SyncJob.Status.cancelled
                failed[namespace] = "cancelled"
                break
            } catch let failure as ClassifiedFailure {
                failed[namespace] = failure.message
            } catch {
                failed[namespace] = error.userMessage
            }
        }

        let now = Date()
        job.finishedAt = Timestamp.format(now)
        job.heartbeatAt = job.finishedAt
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
        try cache.write { db in
            try SyncJobStore.save(finalJob, db)
            if allDone {
                try CacheMeta.set(db, CacheMeta.lastSyncAt, Timestamp.format(now), at: now)
                try CacheMeta.set(db, Self.ownLastSyncKey, Timestamp.format(now), at: now)
                // Applied completions are kept a week for undo and for the record.
                try OutboxStore.prune(appliedBefore: Timestamp.format(now.addingTimeInterval(-7 * 86400)), db)
            }
        }
        logger.info("sync job \(job.id ?? 0) \(job.status)", metadata: ["rows": "\(job.rowsWritten)"])
        onProgress?(job)
        return SyncSummary(job: job, failedNamespaces: failed, deleted: deleted, outboxApplied: outboxApplied)
    }

    func startWatermark(_ namespace: Namespace, progress: Progress) -> Watermark? {
        if let position = progress.positions[namespace.rawValue] { return position }
        if progress.full || !namespace.hasUpdatedAt { return nil }
        let key = watermarkKey(namespace)
        guard let (saved, overall, own) = try? cache.read({ db in
                  (try CacheMeta.value(db, key), try CacheMeta.value(db, CacheMeta.lastSyncAt), try CacheMeta.value(db, Self.ownLastSyncKey))
              }),
              let data = saved?.data(using: .utf8),
              let watermark = try? JSONDecoder().decode(Watermark.self, from: data),
              var at = Timestamp.parse(watermark.at)
        else { return nil }
        at = at.addingTimeInterval(-options.lookback)
        // Another program rewrote the cache from the primary since Tally's last sync: its rows
        // are as old as its read, so what changed since is read again.
        if let overall, overall != own, let theirs = Timestamp.parse(overall) {
            at = min(at, theirs.addingTimeInterval(-Self.outsideRewriteMargin))
        }
        return Watermark(at: Timestamp.format(at), id: Int64.min)
    }

    func watermarkKey(_ namespace: Namespace) -> String { "tally.watermark.\(namespace.rawValue)" }

    /// `cache_meta` key: the `lastSyncAt` Tally itself wrote last. When `lastSyncAt` says
    /// otherwise, another program (the WorkOS MCP server) rewrote the cache since.
    static let ownLastSyncKey = "tally.lastSyncAt.own"

    /// How far before another program's `lastSyncAt` its rewrite may hold older rows: it read
    /// the primary before it wrote, and a row changed in between is re-read.
    static let outsideRewriteMargin: TimeInterval = 60

    /// Syncs one namespace chunk by chunk; returns how many cache rows it deleted.
    ///
    /// Each chunk is written in its own transaction with the job's position. A failed read is
    /// retried from the last written chunk, with `maxAttempts` tries for each chunk. A full sync
    /// reads the table by id and, once it has read it whole, sets the namespace's watermark to
    /// the newest change the primary had when the read began: what changed during the read is
    /// read again by the next incremental sync.
    ///
    /// Deletions (and rows that left `scope`) are found without any log on the primary: the
    /// count and sum of the ids in scope are compared with the cache's, and only when they
    /// differ are the ids listed.
    func sync(_ namespace: Namespace, job: inout SyncJob, progress: inout Progress, scope: ScopeWindow,
              onProgress: (@Sendable (SyncJob) -> Void)?) async throws -> Int {
        var watermark = startWatermark(namespace, progress: progress)
        let order = progress.order(namespace)
        let wholeTable = order == .ids
        // A table read whole into an empty cache table holds nothing the primary lacks but rows
        // deleted behind the read, which the id digest finds: no need to list every id of the
        // primary's table and walk the cache's (a warm-up of 100,000 tasks).
        let startedEmpty = try progress.full && progress.positions[namespace.rawValue] == nil
            && cache.read { db in try CacheRows.isEmpty(namespace, db) }
        if wholeTable, namespace.hasUpdatedAt, progress.highWater?[namespace.rawValue] == nil {
            let latest = try await withRetry(job: &job, namespace: namespace) { try await self.primary.latestChange(namespace) }
            var marks = progress.highWater ?? [:]
            marks[namespace.rawValue] = latest
            progress.highWater = marks
        }
        var attempt = 0
        while true {
            try Task.checkCancellation()
            do {
                try await primary.stream(namespace, after: watermark, chunkSize: progress.chunkSize(options), order: order,
                                         scope: scope) { rows in
                    try Task.checkCancellation()
                    let mark = Watermark.after(rows[rows.count - 1], in: namespace, order: order)
                    var next = progress
                    next.positions[namespace.rawValue] = mark
                    var counted = job
                    counted.chunksCompleted += 1
                    counted.chunksTotal = max(counted.chunksTotal, counted.chunksCompleted)
                    counted.rowsFetched += rows.count
                    counted.rowsWritten += rows.count
                    do {
                        job = try writeChunk(namespace, rows: rows, job: counted, progress: next,
                                             watermark: order == .changes && namespace.hasUpdatedAt ? mark : nil)
                    } catch {
                        throw CacheWriteFailure(error: error)
                    }
                    progress = next
                    watermark = mark
                    attempt = 0
                    onProgress?(job)
                }
                break
            } catch is CancellationError {
                throw CancellationError()
            } catch let failure as CacheWriteFailure {
                throw failure.error  // the cache failed, not the primary: reading again would not help
            } catch {
                attempt += 1
                try await retryOrThrow(error, job: job, namespace: namespace, attempt: attempt)
            }
        }

        var deleted = 0
        var listIDs = wholeTable && !startedEmpty
        var expected: IDDigest?
        if !listIDs {
            // The primary's digest (a scan of its ids: 9 ms for 100,000 tasks) runs while the
            // cache's own is read (7 ms).
            let primary = self.primary
            let asked = Task { try await primary.idDigest(namespace, scope: scope) }
            let local = try cache.read { db in try CacheRows.idDigest(namespace, db) }
            let remote: IDDigest
            if let answer = try? await asked.value {
                remote = answer
            } else {
                remote = try await withRetry(job: &job, namespace: namespace) { try await self.primary.idDigest(namespace, scope: scope) }
            }
            listIDs = local != remote
            expected = remote
        }
        if listIDs {
            let ids = try await withRetry(job: &job, namespace: namespace) { try await self.primary.allIDs(namespace, scope: scope) }
            deleted = try await removeMissing(namespace, keeping: ids, job: &job, scope: scope)
            // Fewer rows than the primary's: another writer lost some (a rewrite whose inserts
            // failed). Read the table again by id.
            if let expected, try cache.read({ db in try CacheRows.idDigest(namespace, db) }).count < expected.count {
                try await refill(namespace, job: &job, scope: scope)
            }
        }
        if namespace == .goals { try await syncAdjustedTargets(job: &job) }
        let finishedAt = Date()
        let highWater = wholeTable ? progress.highWater?[namespace.rawValue] : nil
        let encodedHighWater = highWater.flatMap { try? String(data: JSONEncoder().encode($0), encoding: .utf8) }
        let key = watermarkKey(namespace)
        try cache.write { db in
            if let encodedHighWater { try CacheMeta.set(db, key, encodedHighWater) }
            try CacheMeta.set(db, namespace.lastSyncKey, Timestamp.format(finishedAt), at: finishedAt)
            // This entity synced: its earlier failures are behind us.
            try CacheRows.resolveFailures(of: namespace.rawValue, exceptJob: job.id, at: Timestamp.format(finishedAt), db)
        }
        return deleted
    }

    /// A chunk that could not be written to the cache, told apart from the primary's errors.
    struct CacheWriteFailure: Error {
        let error: any Error
    }

    /// Reads every row of `namespace` in scope again by id and writes them, a chunk a transaction.
    func refill(_ namespace: Namespace, job: inout SyncJob, scope: ScopeWindow) async throws {
        logger.notice("re-reading \(namespace.rawValue): the cache holds fewer rows than the primary")
        var position: Watermark?
        while true {
            let after = position
            let rows = try await withRetry(job: &job, namespace: namespace) {
                try await self.primary.fetch(namespace, after: after, limit: self.options.fullChunkSize, order: .ids, scope: scope)
            }
            if rows.isEmpty { return }
            try cache.write { db in try CacheRows.upsert(namespace, rows: rows, db) }
            position = Watermark.after(rows[rows.count - 1], in: namespace, order: .ids)
            if rows.count < options.fullChunkSize { return }
        }
    }

    /// Copies the primary's adjusted day targets of the last 60 days into `tally_day_targets`.
    func syncAdjustedTargets(job: inout SyncJob) async throws {
        let since = LocalDay(Date()).adding(days: -60).description
        let targets = try await withRetry(job: &job, namespace: .goals) { try await self.primary.adjustedTargets(since: since) }
        let now = Timestamp.format(Date())
        try cache.write { db in
            try CacheRows.replaceDayTargets(since: since, targets, at: now, db)
        }
    }

    /// One chunk in one transaction: rows, watermark and job progress together. Returns the job
    /// as stored.
    func writeChunk(_ namespace: Namespace, rows: [[DatabaseValue]], job: SyncJob, progress: Progress,
                    watermark: Watermark?) throws -> SyncJob {
        let encodedProgress = Self.encode(progress)
        let encodedWatermark = watermark.flatMap { try? String(data: JSONEncoder().encode($0), encoding: .utf8) }
        let key = watermarkKey(namespace)
        return try cache.write { db in
            try CacheRows.upsert(namespace, rows: rows, db)
            if let encodedWatermark { try CacheMeta.set(db, key, encodedWatermark) }
            var stored = job
            stored.watermark = encodedProgress
            stored.heartbeatAt = Timestamp.format(Date())
            stored.progressPercent = stored.chunksTotal > 0
                ? min(99.9, 100 * Double(stored.chunksCompleted) / Double(stored.chunksTotal)) : 0
            try SyncJobStore.save(stored, db)
            return stored
        }
    }

    /// Deletes the cache rows whose id the primary does not have; returns how many.
    ///
    /// The rows found missing are asked about once more before they go: another program that
    /// writes through (the primary first, then the cache, as the WorkOS MCP server does) may
    /// have added one after the primary's ids were listed.
    func removeMissing(_ namespace: Namespace, keeping ids: [Int64], job: inout SyncJob, scope: ScopeWindow) async throws -> Int {
        let candidates = try cache.read { db in try CacheRows.missing(namespace, keeping: ids, db) }
        guard !candidates.isEmpty else { return 0 }
        let present = try await withRetry(job: &job, namespace: namespace) {
            try await self.primary.presentIDs(namespace, among: candidates, scope: scope)
        }
        let gone = candidates.filter { !present.contains($0) }
        return try cache.write { db in try CacheRows.remove(namespace, ids: gone, db) }
    }

    static func encode(_ progress: Progress) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(progress)).flatMap { String(data: $0, encoding: .utf8) }
    }

    func persist(_ job: inout SyncJob, progress: Progress) throws {
        job.watermark = Self.encode(progress)
        job.heartbeatAt = Timestamp.format(Date())
        let stored = job
        try cache.write { db in try SyncJobStore.save(stored, db) }
    }

    // MARK: Retries and failures

    /// Runs `operation`, retrying transient failures with exponential backoff and jitter (and the
    /// server's retry-after when longer); every failed attempt becomes a failure row.
    func withRetry<T: Sendable>(job: inout SyncJob, namespace: Namespace,
                                _ operation: @Sendable () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await operation()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                try await retryOrThrow(error, job: job, namespace: namespace, attempt: attempt)
            }
        }
    }

    /// Records a failed attempt; throws it when it is not worth another try, else waits out the
    /// backoff.
    func retryOrThrow(_ error: any Error, job: SyncJob, namespace: Namespace, attempt: Int) async throws {
        let failure = FailureClassifier.classify(error, primary: primary.displayName)
        // Once one namespace has spent its retries failing to reach the primary, the others try
        // once each: backing off again for every namespace kept `tally sync` against a host
        // that is down waiting 12 s to say so.
        let gaveUp = unreachable.value
        let attempts = failure.type.isTransient ? (gaveUp == nil ? options.maxAttempts : 1) : attempt
        record(failure, jobID: job.id, namespace: namespace, attempt: attempt, of: attempts,
               triedOnceAfter: gaveUp == nil || gaveUp == namespace ? nil : gaveUp)
        logger.warning("sync attempt failed", metadata: [
            "entity": "\(namespace.rawValue)", "type": "\(failure.type.rawValue)",
            "attempt": "\(attempt)", "detail": "\(failure.detail)"])
        guard failure.type.isTransient, attempt < attempts else {
            if (failure.type == .network || failure.type == .timeout) && gaveUp == nil { unreachable.value = namespace }
            throw failure
        }
        let backoff = options.baseDelay * pow(2, Double(attempt - 1)) * Double.random(in: 0.75...1.25)
        try await sleep(max(backoff, failure.retryAfter ?? 0))
    }

    /// A failure row. Its detail JSON holds the short cause, how many tries the failure was
    /// given (`attempts`) and, for one tried once because another namespace already could not
    /// reach the primary, which (`tried_once_after`); the error's whole text goes to the log.
    func record(_ failure: ClassifiedFailure, jobID: Int64?, namespace: Namespace, attempt: Int, of attempts: Int,
                triedOnceAfter: Namespace?) {
        var detail: [String: String] = ["primary": primary.displayName, "attempts": "\(attempts)"]
        if !failure.cause.isEmpty { detail["cause"] = PrimaryLocation.maskAll(failure.cause) }
        if let retryAfter = failure.retryAfter { detail["retry_after"] = String(retryAfter) }
        if let triedOnceAfter {
            detail["tried_once_after"] = triedOnceAfter.rawValue
            detail["max_attempts"] = "\(options.maxAttempts)"
        }
        let json = (try? JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys]))
            .flatMap { String(data: $0, encoding: .utf8) }
        let row = SyncFailure(jobID: jobID, at: Timestamp.format(Date()), entity: namespace.rawValue,
                              errorType: failure.type, message: failure.message, detail: json, attempt: attempt)
        _ = try? cache.write { db in try CacheRows.record(row, db) }
    }

    // MARK: One job per cache

    /// Marks jobs whose process is gone as interrupted, then inserts a running job.
    func claim(kind: SyncJob.Kind, namespaces: [Namespace], progress: Progress) throws -> SyncJob {
        let now = Date()
        let staleBefore = Timestamp.format(now.addingTimeInterval(-options.staleHeartbeat))
        let watermark = Self.encode(progress)
        let claimed = try cache.write { db in
            try SyncJobStore.claim(kind: kind, namespaces: namespaces, watermark: watermark, staleBefore: staleBefore, at: now, db)
        }
        if let claimed { return claimed }
        throw TallyError.syncAlreadyRunning(try cache.read { db in try SyncJobStore.runningJobID(db) } ?? 0)
    }

    /// Interrupted jobs not yet resumed, oldest first (after marking dead ones interrupted).
    public func resumableJobs() throws -> [SyncJob] {
        let staleBefore = Timestamp.format(Date().addingTimeInterval(-options.staleHeartbeat))
        return try cache.write { db in
            try SyncJobStore.markDead(staleBefore: staleBefore, db)
            return try SyncJobStore.resumable(db)
        }
    }
}
