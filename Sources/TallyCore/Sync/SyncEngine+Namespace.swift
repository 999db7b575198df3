import Foundation
import GRDB
import GRDBSQLite
import Logging
import Synchronization

/// One namespace of a job: its watermark, its chunks, deletions found by the id digest, the
/// adjusted day targets with the goals.
extension SyncEngine {
    func startWatermark(_ namespace: Namespace, progress: Progress) async -> Watermark? {
        await startWatermarks([namespace], progress: progress)[namespace] ?? nil
    }

    /// Where each namespace's read starts: its position in the job, or the saved watermark less
    /// the lookback; nil to read from the first row. The saved ones in one read of the cache.
    func startWatermarks(_ namespaces: [Namespace], progress: Progress) async -> [Namespace: Watermark?] {
        var starts: [Namespace: Watermark?] = [:]
        var saved: [Namespace] = []
        for namespace in namespaces {
            if let position = progress.positions[namespace.rawValue] {
                starts[namespace] = position
            } else if progress.full || !namespace.hasUpdatedAt {
                starts[namespace] = .some(nil)
            } else {
                saved.append(namespace)
            }
        }
        guard !saved.isEmpty else { return starts }
        let keys = saved.map(watermarkKey)
        let read = try? await cache.read { db in
            (try keys.map { try CacheMeta.value(db, $0) }, try CacheMeta.value(db, CacheMeta.lastSyncAt),
             try CacheMeta.value(db, Self.ownLastSyncKey))
        }
        for (index, namespace) in saved.enumerated() {
            starts[namespace] = .some(read.flatMap { values, overall, own in
                startWatermark(saved: values[index], overall: overall, own: own)
            })
        }
        return starts
    }

    private func startWatermark(saved: String?, overall: String?, own: String?) -> Watermark? {
        guard let data = saved?.data(using: .utf8),
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

    /// The id digests an incremental job compares to find deletions, asked for when the job
    /// starts instead of when each namespace's rows are in: the primary counts on its own
    /// connection (the tasks' count is 8 ms of the server's time for 100,000 rows) while the
    /// rows are read on another, and the cache's are read once for every namespace, before any
    /// of the job's writes; each chunk then says how it moved them (`CacheRows.upsert`).
    ///
    /// Asked before the rows are read, the primary's digest can only miss changes the read then
    /// sees: a row added meanwhile makes the digests differ and the ids are listed (and kept), a
    /// row deleted meanwhile is found by the next sync, as one deleted after the digest is.
    struct EarlyDigests: Sendable {
        var remote: [Namespace: Task<IDDigest, any Error>] = [:]
        /// The cache's digests before the job's writes (nil: not read; read after the writes).
        var local: Task<[Namespace: IDDigest], any Error>?
        /// Open once the read of `local` holds its snapshot (or has ended): the job's first
        /// write waits for it, not for the digests.
        var localSnapshot: Latch?
        /// Each namespace's first chunk, asked for as the job starts (`startFirstChunks`).
        var firstChunks: [Namespace: FirstChunk] = [:]
        /// The goals' and habits' extras, asked for as the job starts (`startExtras`).
        var extras: [Namespace: Task<Extras, any Error>] = [:]

        func cancel() {
            for task in remote.values { task.cancel() }
            for task in extras.values { task.cancel() }
            local?.cancel()
            for first in firstChunks.values { first.rows.cancel() }
        }
    }

    /// A namespace's first chunk of an incremental job, read from the position it starts at.
    struct FirstChunk: Sendable {
        var from: Watermark?
        var rows: Task<[[DatabaseValue]], any Error>
    }

    /// Asks for every namespace's first chunk at once, as an incremental job starts: the reads
    /// follow one another on the connection (`PrimaryReader.fetch(_:scope:)`) while the cache
    /// writes the namespaces before, instead of each waiting for the one before it to be
    /// written (2 ms a namespace).
    func startFirstChunks(_ namespaces: [Namespace], progress: Progress, scope: ScopeWindow) async -> [Namespace: FirstChunk] {
        let primary = self.primary
        let starts = await startWatermarks(namespaces, progress: progress)
        let reads = namespaces.map { ChunkRead($0, after: starts[$0] ?? nil, limit: progress.chunkSize(options), order: progress.order($0)) }
        let all = Task { try await primary.fetch(reads, scope: scope) }
        var chunks: [Namespace: FirstChunk] = [:]
        for read in reads {
            chunks[read.namespace] = FirstChunk(from: read.position, rows: Task {
                try await withTaskCancellationHandler {
                    do {
                        return try await all.value[read.namespace] ?? []
                    } catch where !(error is CancellationError) {
                        // One read failed them all: each namespace asks again on its own, and
                        // meets (and reports) only its own failure.
                        return try await primary.fetch(read.namespace, after: read.position, limit: read.limit,
                                                       order: read.order, scope: scope)
                    }
                } onCancel: {
                    all.cancel()
                }
            })
        }
        return chunks
    }

    /// Starts the digests of the namespaces an incremental job reads by change; the cache's are
    /// those `local` read when it has them all.
    func startDigests(_ namespaces: [Namespace], remote: [Namespace: Task<IDDigest, any Error>] = [:],
                      local: LocalDigests? = nil, scope: ScopeWindow) -> EarlyDigests {
        let compared = Self.comparedByDigest(namespaces)
        guard !compared.isEmpty else { return EarlyDigests() }
        var digests = EarlyDigests()
        let missing = compared.filter { remote[$0] == nil }
        digests.remote = remote.filter { compared.contains($0.key) }.merging(startRemoteDigests(missing, scope: scope)) { old, _ in old }
        let reading = local.flatMap { Set(compared).isSubset(of: $0.namespaces) ? $0 : nil } ?? startLocalDigests(compared)
        digests.local = reading?.digests
        digests.localSnapshot = reading?.snapshot
        return digests
    }

    /// The cache's id digests of some namespaces, read from one snapshot.
    struct LocalDigests: Sendable {
        var namespaces: Set<Namespace>
        var digests: Task<[Namespace: IDDigest], any Error>
        /// Open once the read holds its snapshot (or has ended).
        var snapshot: Latch
        /// Where the digests came from, known once `digests` is.
        var origin: DigestOrigin

        func cancel() { digests.cancel() }
    }

    /// How a job's cache digests were had: taken from the file beside the cache
    /// (`KeptDigests`), and the writer's `data_version` before their snapshot (when the job
    /// may keep its own: `run`'s `keepingDigests`).
    final class DigestOrigin: Sendable {
        private let state = Mutex<(kept: Bool, dataVersion: Int64?)>((false, nil))

        var kept: Bool { state.withLock { $0.kept } }
        var dataVersion: Int64? { state.withLock { $0.dataVersion } }

        func noteKept() { state.withLock { $0.kept = true } }
        func note(dataVersion: Int64?) { state.withLock { $0.dataVersion = dataVersion } }
    }

    /// Reads the cache's id digests of the namespaces an incremental job reads by change. The
    /// job's writes wait only until the read has its snapshot, not for its scans (7 ms for
    /// 100,000 tasks): a read sees the cache as it was when its first statement ran, whatever
    /// is committed while it goes on. `run` starts it before the job is claimed (the claim
    /// writes only the job's own row), so that the scan runs while the primary's connection is
    /// made. The latch opens once the snapshot is taken and its version compared (below): `run`
    /// claims the job after that, so that the claim's commit is not taken for another program's.
    ///
    /// No scan at all when the file beside the cache keeps the digests of exactly what the
    /// snapshot holds (`KeptDigests`: its version read after the snapshot began equals the kept
    /// one, so nothing was committed since they were kept, before the snapshot or after).
    ///
    /// - Parameter recording: read the writer's `data_version` first, so that the digests the
    ///   job ends with can be kept when no other connection committed meanwhile.
    func startLocalDigests(_ namespaces: [Namespace], recording: Bool = false) -> LocalDigests? {
        let compared = Self.comparedByDigest(namespaces)
        guard !compared.isEmpty else { return nil }
        let cache = self.cache
        let snapshot = Latch()
        let origin = DigestOrigin()
        let digests = Task {
            defer { snapshot.open() }
            if recording {
                origin.note(dataVersion: try? await cache.writeWithoutTransaction { db in
                    try Int64.fetchOne(db, sql: "PRAGMA data_version")
                })
            }
            return try await cache.read { db in
                try db.execute(sql: "SELECT 1 FROM sqlite_master LIMIT 1")
                if let version = CacheVersion.read(path: cache.path, db),
                   let kept = KeptDigests.read(cachePath: cache.path, matching: version),
                   compared.allSatisfy({ kept.digests[$0] != nil }) {
                    origin.noteKept()
                    return kept.digests.filter { compared.contains($0.key) }
                }
                snapshot.open()
                var local: [Namespace: IDDigest] = [:]
                for namespace in compared { local[namespace] = try CacheRows.idDigest(namespace, db) }
                return local
            }
        }
        return LocalDigests(namespaces: Set(compared), digests: digests, snapshot: snapshot, origin: origin)
    }

    /// Asks the primary for the id digests of the namespaces an incremental job reads by change,
    /// the tasks' first: theirs is the long scan, and the digests take turns on their connection.
    /// `run` asks as the job begins, before it is claimed: asked before the rows are read, the
    /// digests miss only what the reads then see (`EarlyDigests`).
    func startRemoteDigests(_ namespaces: [Namespace], scope: ScopeWindow) -> [Namespace: Task<IDDigest, any Error>] {
        let primary = self.primary
        let compared = Self.comparedByDigest(namespaces)
        guard !compared.isEmpty else { return [:] }
        let all = Task { try await primary.idDigests(compared, scope: scope) }
        var tasks: [Namespace: Task<IDDigest, any Error>] = [:]
        for namespace in compared {
            tasks[namespace] = Task {
                try await withTaskCancellationHandler {
                    do {
                        if let digest = try await all.value[namespace] { return digest }
                    } catch where !(error is CancellationError) {
                        // Asked again on its own below: each namespace meets only its own failure.
                    }
                    return try await primary.idDigest(namespace, scope: scope)
                } onCancel: {
                    all.cancel()
                }
            }
        }
        return tasks
    }

    /// The namespaces whose deletions an incremental job finds by digests, the tasks first.
    static func comparedByDigest(_ namespaces: [Namespace]) -> [Namespace] {
        namespaces.filter(\.hasUpdatedAt).sorted { ($0 == .tasks ? 0 : 1) < ($1 == .tasks ? 0 : 1) }
    }

    /// A namespace whose rows are in: what its end still has to do (`finish`).
    struct ReadNamespace: Sendable {
        var namespace: Namespace
        /// Whether every row was read by id (a full sync, or a table without `updated_at`).
        var wholeTable: Bool
        /// Whether the cache table was empty when a full read began.
        var startedEmpty: Bool
        /// The primary's id digest, asked early (nil: asked at the end).
        var remoteDigest: Task<IDDigest, any Error>?
        /// The cache's digests read before this namespace's writes (nil: read at the end), and
        /// how those writes moved this one's.
        var localBefore: Task<[Namespace: IDDigest], any Error>?
        var localChange: IDDigest
        /// Tally's order indexes being made again after a warm-up filled the table.
        var indexes: Task<Void, any Error>?
        /// Its extras, asked for as the job started (`startExtras`).
        var extras: Task<Extras, any Error>?
        /// Every id of a table read whole in one chunk (one query's view of it): the ids its end
        /// compares, instead of asking for them again.
        var readIDs: [Int64]?
        /// Whether every task's load was read and written with the task (a full read of the
        /// tasks from their first row): the job does not ask for the loads again (`syncLife`).
        var loadsRead = false

        /// The cache's digest now, when known without reading it again.
        var localDigest: IDDigest? {
            get async {
                guard let before = try? await localBefore?.value[namespace] else { return nil }
                return IDDigest(count: before.count + localChange.count, sum: before.sum &+ localChange.sum)
            }
        }
    }

    /// Reads one namespace's rows chunk by chunk into the cache.
    ///
    /// Each chunk is written in its own transaction with the job's position. A failed read is
    /// retried from the last written chunk, with `maxAttempts` tries for each chunk. A full sync
    /// reads the table by id and, once it has read it whole, sets the namespace's watermark to
    /// the newest change the primary had when the read began: what changed during the read is
    /// read again by the next incremental sync.
    ///
    /// What ends the namespace (the deletion check, its extras) is left to `finish`, which a job
    /// runs once every namespace's rows are in, so that no namespace waits on another's digests.
    func read(_ namespace: Namespace, job: inout SyncJob, progress: inout Progress, scope: ScopeWindow,
              early: EarlyDigests, onProgress: (@Sendable (SyncJob) -> Void)?) async throws -> ReadNamespace {
        var first = early.firstChunks[namespace]
        var watermark = if let first { first.from } else { await startWatermark(namespace, progress: progress) }
        let order = progress.order(namespace)
        let wholeTable = order == .ids
        // A table read whole into an empty cache table holds nothing the primary lacks but rows
        // deleted behind the read, which the id digest finds: no need to list every id of the
        // primary's table and walk the cache's (a warm-up of 100,000 tasks).
        var startedEmpty = false
        if progress.full && progress.positions[namespace.rawValue] == nil {
            startedEmpty = try await cache.read { db in try CacheRows.isEmpty(namespace, db) }
        }
        if wholeTable, namespace.hasUpdatedAt, progress.highWater?[namespace.rawValue] == nil {
            let latest = try await withRetry(job: &job, namespace: namespace) { try await self.primary.latestChange(namespace) }
            var marks = progress.highWater ?? [:]
            marks[namespace.rawValue] = latest
            progress.highWater = marks
        }
        // The cache's digest before this job's writes (read by the time the first chunk is
        // written), and how the writes move it.
        let remoteDigest = wholeTable ? nil : early.remote[namespace]
        let localBefore = wholeTable ? nil : early.local
        let snapshot = wholeTable ? nil : early.localSnapshot
        var beforeRead = localBefore == nil
        var change = IDDigest(count: 0, sum: 0)
        // The task table's indexes (WorkOS's and Tally's order indexes) are set aside while an
        // empty table fills, and made once after, from rows in place: kept up row by row they
        // took most of the writer's time in a 100,000-task warm-up. Whatever stops the job, the
        // next writable open makes them again (`WorkOSSchema.setAsideTaskIndexes`).
        let primary = self.primary
        // A full read of the tasks brings each task's cognitive load with it, written in the same
        // transaction: asked for by id once the tasks were in, a warm-up's 85,714 loads were
        // written after the order indexes were made, the writer's last work of the job.
        let loads = namespace == .tasks && wholeTable && progress.full ? primary.lifeSource : nil
        let loadsWithTasks = await loads?.readsLoadsWithTasks() ?? false
        let loadsFromFirstRow = loadsWithTasks && progress.positions[namespace.rawValue] == nil
        var reading: (@Sendable (Watermark?, Int) async throws -> [[DatabaseValue]])?
        if loadsWithTasks, let loads {
            reading = { @Sendable after, limit in try await loads.fetchTasksWithLoads(after: after, limit: limit, scope: scope) }
        }
        let setAside = startedEmpty && namespace == .tasks
            ? try await cache.write { db in try WorkOSSchema.setAsideTaskIndexes(db) } : false
        do {
            try await readWhole()
        } catch {
            if setAside { try? await cache.write { db in try WorkOSSchema.restoreTaskIndexes(db) } }
            throw error
        }
        // Made while the job goes on (0.5 s for 100,000 tasks, in which the primary would sit
        // idle): the other namespaces and WorkOS's other tables are read meanwhile, their writes
        // waiting their turn, and the job ends once the indexes are made (`run`).
        // The rows reach the database file on another connection while the writer sorts, and the
        // indexes while the job reads on: the writer checkpoints nothing at the indexes' commit,
        // which copied every page of the fill first (`CacheStore.checkpointAside`).
        let cache = self.cache
        let indexes = setAside ? Task {
            let fill = cache.checkpointAside()
            try await cache.write { db in
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                try WorkOSSchema.restoreTaskIndexes(db)
            }
            await fill.value
            cache.checkpointAside()
        } : nil

        func readWhole() async throws {
        var attempt = 0
        // An incremental job plans one chunk a namespace without counting (`run`): the first
        // chunk that comes full counts the rest.
        var uncounted = !progress.full
        while true {
            try Task.checkCancellation()
            // The chunk asked for as the job started, on the first try only.
            let asked = first?.rows
            first = nil
            do {
                try await primary.stream(namespace, after: watermark, chunkSize: progress.chunkSize(options),
                                         firstChunkSize: progress.firstChunkSize(options), order: order,
                                         scope: scope, reading: reading, first: asked) { rows in
                    try Task.checkCancellation()
                    let mark = Watermark.after(rows[rows.count - 1], in: namespace, order: order)
                    var next = progress
                    next.positions[namespace.rawValue] = mark
                    var counted = job
                    counted.chunksCompleted += 1
                    if uncounted, rows.count >= progress.chunkSize(options) {
                        counted.chunksTotal += await remainingChunks(namespace, after: mark, order: order, scope: scope,
                                                                     chunkSize: progress.chunkSize(options))
                    }
                    uncounted = false
                    counted.chunksTotal = max(counted.chunksTotal, counted.chunksCompleted)
                    counted.rowsFetched += rows.count
                    if !beforeRead {
                        if let snapshot { await snapshot.wait() } else { _ = try? await localBefore?.value }
                        beforeRead = true
                    }
                    do {
                        (job, change) = try await writeChunk(namespace, rows: rows, job: counted, progress: next,
                                                             watermark: order == .changes && namespace.hasUpdatedAt ? mark : nil,
                                                             digestChange: change, loads: loadsWithTasks)
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
        }

        return ReadNamespace(namespace: namespace, wholeTable: wholeTable, startedEmpty: startedEmpty,
                             remoteDigest: remoteDigest, localBefore: localBefore, localChange: change, indexes: indexes,
                             extras: early.extras[namespace], loadsRead: loadsFromFirstRow)
    }

    /// Writes the first chunks asked for as an incremental job began (`startFirstChunks`) in one
    /// transaction, for the namespaces whose rows they are all of: a chunk a transaction took a
    /// few milliseconds each on a busy machine, most of a 10-row sync's writing. Returns those
    /// namespaces as read; the others (a chunk that came full, or that failed) are left to
    /// `read`, which takes their first chunk as it was asked. Nothing is written when the
    /// transaction fails: `read` then writes every namespace, and reports what fails.
    func writeFirstChunks(_ namespaces: [Namespace], early: EarlyDigests, job: inout SyncJob, progress: inout Progress,
                          onProgress: (@Sendable (SyncJob) -> Void)?) async -> [Namespace: ReadNamespace] {
        guard !progress.full, !early.firstChunks.isEmpty, !Task.isCancelled else { return [:] }
        let limit = progress.chunkSize(options)
        var chunks: [(namespace: Namespace, rows: [[DatabaseValue]], order: ReadOrder)] = []
        for namespace in namespaces {
            guard let first = early.firstChunks[namespace], progress.positions[namespace.rawValue] == nil,
                  let rows = try? await first.rows.value, rows.count < limit else { continue }
            chunks.append((namespace, rows, progress.order(namespace)))
        }
        guard !chunks.isEmpty else { return [:] }
        // The cache's digests are read from before any of the job's writes (`startDigests`).
        if chunks.contains(where: { $0.order == .changes }) { await early.localSnapshot?.wait() }
        var next = progress
        var counted = job
        var marks: [(key: String, value: String)] = []
        for chunk in chunks where !chunk.rows.isEmpty {
            let mark = Watermark.after(chunk.rows[chunk.rows.count - 1], in: chunk.namespace, order: chunk.order)
            next.positions[chunk.namespace.rawValue] = mark
            counted.chunksCompleted += 1
            counted.rowsFetched += chunk.rows.count
            if chunk.order == .changes, chunk.namespace.hasUpdatedAt,
               let text = try? String(data: JSONEncoder().encode(mark), encoding: .utf8) {
                marks.append((watermarkKey(chunk.namespace), text))
            }
        }
        counted.chunksTotal = max(counted.chunksTotal, counted.chunksCompleted)
        counted.watermark = Self.encode(next)
        let writing = chunks, stored = counted, keys = marks
        let result: (job: SyncJob, changes: [Namespace: IDDigest])?
        if writing.allSatisfy({ $0.rows.isEmpty }) {
            result = (job, [:])
        } else {
            result = try? await cache.write { db in
                var job = stored
                var changes: [Namespace: IDDigest] = [:]
                for chunk in writing where !chunk.rows.isEmpty {
                    var change = IDDigest(count: 0, sum: 0)
                    job.rowsWritten += try CacheRows.upsert(chunk.namespace, rows: chunk.rows, db, digestChange: &change)
                    changes[chunk.namespace] = change
                }
                for mark in keys { try CacheMeta.set(db, mark.key, mark.value) }
                job.heartbeatAt = Timestamp.format(Date())
                job.progressPercent = job.chunksTotal > 0 ? min(99.9, 100 * Double(job.chunksCompleted) / Double(job.chunksTotal)) : 0
                try SyncJobStore.save(job, db)
                return (job, changes)
            }
        }
        guard let result else { return [:] }
        if result.job != job {
            job = result.job
            progress = next
            onProgress?(job)
        }
        var done: [Namespace: ReadNamespace] = [:]
        for chunk in writing {
            let wholeTable = chunk.order == .ids
            done[chunk.namespace] = ReadNamespace(namespace: chunk.namespace, wholeTable: wholeTable, startedEmpty: false,
                                                  remoteDigest: wholeTable ? nil : early.remote[chunk.namespace],
                                                  localBefore: wholeTable ? nil : early.local,
                                                  localChange: result.changes[chunk.namespace] ?? IDDigest(count: 0, sum: 0),
                                                  indexes: nil, extras: early.extras[chunk.namespace],
                                                  readIDs: wholeTable ? Self.ids(of: chunk.rows, in: chunk.namespace) : nil)
        }
        return done
    }

    /// The ids of rows in `namespace`'s column order.
    static func ids(of rows: [[DatabaseValue]], in namespace: Namespace) -> [Int64] {
        guard let index = namespace.columns.firstIndex(of: "id") else { return [] }
        return rows.compactMap { $0.count > index ? Row.int64($0[index]) : nil }
    }

    /// Ends a namespace whose rows are in: deletions (and rows that left `scope`) found without
    /// any log on the primary, its extras read. The count and sum of the ids in scope are
    /// compared with the cache's, and only when they differ are the ids listed.
    ///
    /// The namespace is marked done in `progress`; what ends it in the cache (its last-sync
    /// time, its extras) is returned for the job's last transaction to write.
    func finish(_ read: ReadNamespace, job: inout SyncJob, progress: inout Progress, scope: ScopeWindow) async throws -> NamespaceEnd {
        let namespace = read.namespace
        let primary = self.primary
        var deleted = 0
        var listIDs = read.wholeTable && !read.startedEmpty
        var expected: IDDigest?
        if !listIDs {
            // The primary's digest (a scan of its ids: 9 ms for 100,000 tasks) runs while the
            // cache's own is read (7 ms), when neither was asked for early.
            let asked = read.remoteDigest ?? Task { try await primary.idDigest(namespace, scope: scope) }
            let local: IDDigest
            if let known = await read.localDigest {
                local = known
            } else {
                local = try await cache.read { db in try CacheRows.idDigest(namespace, db) }
            }
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
            let ids = if let read = read.readIDs { read } else {
                try await withRetry(job: &job, namespace: namespace) { try await self.primary.allIDs(namespace, scope: scope) }
            }
            deleted = try await removeMissing(namespace, keeping: ids, job: &job, scope: scope)
            // Fewer rows than the primary's: another writer lost some (a rewrite whose inserts
            // failed). Read the table again by id.
            if let expected, try await cache.read({ db in try CacheRows.idDigest(namespace, db) }).count < expected.count {
                try await refill(namespace, job: &job, scope: scope)
            }
        }
        let extras = try await fetchExtras(namespace, job: &job, asked: read.extras)
        let highWater = read.wholeTable ? progress.highWater?[namespace.rawValue] : nil
        progress.done.append(namespace.rawValue)
        return NamespaceEnd(namespace: namespace, deleted: deleted, extras: extras, finishedAt: Date(),
                            highWater: highWater.flatMap { try? String(data: JSONEncoder().encode($0), encoding: .utf8) },
                            agreed: listIDs ? nil : expected)
    }

    /// What ends a synced namespace in the cache, written in the job's last transaction with the
    /// others' (one transaction instead of one or two a namespace: each of Tally's transactions is
    /// a moment in which another program writing the cache, with no busy timeout, can meet its
    /// lock). A job killed before that transaction syncs the namespace again when resumed: its
    /// rows are already in, so that is a look at the digests.
    struct NamespaceEnd: Sendable {
        var namespace: Namespace
        /// Cache rows the primary no longer has, deleted.
        var deleted: Int
        var extras: Extras
        var finishedAt: Date
        /// After a full read: the watermark the next incremental sync starts from.
        var highWater: String?
        /// The id digest the cache and the primary agreed on, when they did at once (nothing
        /// was listed): what the job may keep (`KeptDigests`).
        var agreed: IDDigest?

        func write(_ db: Database, jobID: Int64?, watermarkKey: String) throws {
            try extras.write(db)
            if let highWater { try CacheMeta.set(db, watermarkKey, highWater) }
            try CacheMeta.set(db, namespace.lastSyncKey, Timestamp.format(finishedAt), at: finishedAt)
            // This entity synced: its earlier failures are behind us.
            try CacheRows.resolveFailures(of: namespace.rawValue, exceptJob: jobID, at: Timestamp.format(finishedAt), db)
        }
    }

    /// The chunks that remain after `mark`, counted (a failure counts none: the fetches report it).
    func remainingChunks(_ namespace: Namespace, after mark: Watermark, order: ReadOrder, scope: ScopeWindow,
                         chunkSize: Int) async -> Int {
        let rows = (try? await primary.count(namespace, after: mark, order: order, scope: scope)) ?? 0
        return Int((Double(rows) / Double(max(1, chunkSize))).rounded(.up))
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
            _ = try await cache.write { db in try CacheRows.upsert(namespace, rows: rows, db) }
            position = Watermark.after(rows[rows.count - 1], in: namespace, order: .ids)
            if rows.count < options.fullChunkSize { return }
        }
    }

    /// What a namespace copies into Tally's own tables beside its rows, written with its end.
    struct Extras: Sendable {
        /// The primary's adjusted day targets from `since` (goals), for `tally_day_targets`.
        var dayTargets: (since: String, targets: [String: Int])?
        /// The primary's habit completions from `since` (habits), for `tally_habit_checkins`:
        /// what says a habit is done today, which the contract's habit table cannot.
        var habitCheckIns: (since: String, completions: [HabitCompletion])?

        func write(_ db: Database) throws {
            if let dayTargets {
                try CacheRows.replaceDayTargets(since: dayTargets.since, dayTargets.targets, at: Timestamp.format(Date()), db)
            }
            if let habitCheckIns { try CacheRows.replaceHabitCheckIns(since: habitCheckIns.since, habitCheckIns.completions, db) }
        }
    }

    /// Reads the namespace's extras: the adjusted targets of the last 60 days with the goals, the
    /// completions of the last weeks with the habits (none from a primary without a
    /// `habit_completions` table).
    ///
    /// - Parameter asked: the extras asked for as the job started (`startExtras`): their answer
    ///   when it came, else they are read again here, with retries.
    func fetchExtras(_ namespace: Namespace, job: inout SyncJob, asked: Task<Extras, any Error>? = nil) async throws -> Extras {
        if let early = try? await asked?.value { return early }
        var extras = Extras()
        if namespace == .goals {
            let since = Self.dayTargetsSince()
            let targets = try await withRetry(job: &job, namespace: .goals) { try await self.primary.adjustedTargets(since: since) }
            extras.dayTargets = (since, targets)
        }
        if namespace == .habits {
            let since = Self.checkInsSince()
            let completions = try await withRetry(job: &job, namespace: .habits) {
                try await self.primary.habitCompletions(since: since)
            }
            extras.habitCheckIns = (since, completions)
        }
        return extras
    }

    /// Asks for the goals' and habits' extras as an incremental job starts, on the reads'
    /// connection after the first chunks: read at a namespace's end, each was a round trip of
    /// its own after the digests, with nothing else to do meanwhile.
    func startExtras(_ namespaces: [Namespace]) -> [Namespace: Task<Extras, any Error>] {
        let primary = self.primary
        var asked: [Namespace: Task<Extras, any Error>] = [:]
        if namespaces.contains(.goals) {
            let since = Self.dayTargetsSince()
            asked[.goals] = Task { Extras(dayTargets: (since, try await primary.adjustedTargets(since: since))) }
        }
        if namespaces.contains(.habits) {
            let since = Self.checkInsSince()
            asked[.habits] = Task { Extras(habitCheckIns: (since, try await primary.habitCompletions(since: since))) }
        }
        return asked
    }

    /// The first day of the adjusted targets read with the goals.
    static func dayTargetsSince() -> String { LocalDay(Date()).adding(days: -60).description }

    /// The first moment of the habit completions read with the habits.
    static func checkInsSince() -> String {
        Timestamp.format(Date(timeIntervalSinceNow: -Double(HabitStatus.historyDays + 2) * 86400))
    }

    /// One chunk in one transaction: rows, watermark and job progress together. Returns the job
    /// as stored, and `digestChange` moved by what the rows did to the table's id digest.
    ///
    /// - Parameter loads: each row ends with the task's load (`LifeSource.fetchTasksWithLoads`),
    ///   written beside it.
    func writeChunk(_ namespace: Namespace, rows: [[DatabaseValue]], job: SyncJob, progress: Progress,
                    watermark: Watermark?, digestChange: IDDigest, loads: Bool = false) async throws -> (SyncJob, IDDigest) {
        let encodedProgress = Self.encode(progress)
        let encodedWatermark = watermark.flatMap { try? String(data: JSONEncoder().encode($0), encoding: .utf8) }
        let key = watermarkKey(namespace)
        return try await cache.write { db in
            // Rows written are rows the cache did not hold as they are: a sync that re-reads
            // (its lookback) and finds nothing new says 0, not the rows it looked at again.
            var change = digestChange
            let changed = try CacheRows.upsert(namespace, rows: rows, db, digestChange: &change)
            if loads {
                let width = namespace.columns.count, id = namespace.columns.firstIndex(of: "id") ?? 0
                try LifeStore.applyLoads(rows.map { [$0[id], $0.count > width ? $0[width] : .null] }, db)
            }
            if let encodedWatermark { try CacheMeta.set(db, key, encodedWatermark) }
            var stored = job
            stored.rowsWritten += changed
            stored.watermark = encodedProgress
            stored.heartbeatAt = Timestamp.format(Date())
            stored.progressPercent = stored.chunksTotal > 0
                ? min(99.9, 100 * Double(stored.chunksCompleted) / Double(stored.chunksTotal)) : 0
            try SyncJobStore.save(stored, db)
            return (stored, change)
        }
    }

    /// Deletes the cache rows whose id the primary does not have; returns how many.
    ///
    /// The rows found missing are asked about once more before they go: another program that
    /// writes through (the primary first, then the cache, as the WorkOS MCP server does) may
    /// have added one after the primary's ids were listed.
    func removeMissing(_ namespace: Namespace, keeping ids: [Int64], job: inout SyncJob, scope: ScopeWindow) async throws -> Int {
        let candidates = try await cache.read { db in try CacheRows.missing(namespace, keeping: ids, db) }
        guard !candidates.isEmpty else { return 0 }
        let present = try await withRetry(job: &job, namespace: namespace) {
            try await self.primary.presentIDs(namespace, among: candidates, scope: scope)
        }
        let gone = candidates.filter { !present.contains($0) }
        return try await cache.write { db in try CacheRows.remove(namespace, ids: gone, db) }
    }

    static func encode(_ progress: Progress) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(progress)).flatMap { String(data: $0, encoding: .utf8) }
    }
}
