import Foundation
import GRDB
import Logging

/// What a job is asked to verify after it synced (docs/ARCHITECTURE.md, "Verification").
public enum VerifyRequest: Sendable, Equatable {
    /// The whole cache (`tally sync --verify`).
    case whole
    /// The next slice of the scheduled pass, when one is due (`verify_every`).
    case ifDue
}

/// The cache was filled from one primary and is now pointed at another: kept in `cache_meta`
/// (`tally.primary.switch`) from the moment a sync finds it until the full sync that refills the
/// cache from the new primary has finished, so that every reader can say the figures are not
/// current.
public struct PrimarySwitch: Codable, Equatable, Sendable {
    /// The primary that filled the cache (its password masked).
    public var from: String
    public var to: String
    public var at: String

    public init(from: String, to: String, at: String) {
        self.from = from
        self.to = to
        self.at = at
    }

    public static let metaKey = "tally.primary.switch"

    public static func decode(_ text: String?) -> PrimarySwitch? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(PrimarySwitch.self, from: Data(text.utf8))
    }

    var json: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) }
    }
}

extension PrimaryIdentity {
    /// `cache_meta` key: the identity of the primary that filled the cache.
    public static let metaKey = "tally.primary.identity"

    public static func decode(_ text: String?) -> PrimaryIdentity? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(PrimaryIdentity.self, from: Data(text.utf8))
    }

    var json: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) }
    }
}

extension SyncEngine {
    /// Which primary filled the cache, as a job finds it before it reads anything.
    enum Provenance: Equatable {
        /// The primary's identity could not be read (it is not reachable, or cannot tell): the
        /// sync goes on as before and records nothing.
        case unknown
        /// The primary that filled the cache.
        case same(PrimaryIdentity)
        /// An empty cache: the sync fills it from this primary.
        case firstFill(PrimaryIdentity)
        /// Rows from a primary nobody recorded (an older Tally, another program), or the same
        /// database reached at another address: verified whole, then recorded.
        case unrecorded(PrimaryIdentity)
        /// Another primary: the cache is filled anew from it.
        case switched(from: PrimaryIdentity?, to: PrimaryIdentity)

        var identity: PrimaryIdentity? {
            switch self {
            case .unknown: return nil
            case .same(let identity), .firstFill(let identity), .unrecorded(let identity): return identity
            case .switched(_, let identity): return identity
            }
        }

        var isSwitch: Bool {
            if case .switched = self { return true }
            return false
        }
    }

    /// Whether the cache may hold another primary's rows, told without connecting: the primary
    /// that filled it was recorded at another place than this one's, or a refill did not finish.
    public func mayHoldAnotherPrimarysRows() async -> Bool {
        guard let digests = primary.digests,
              let (recorded, pending) = try? await cache.read({ db in
                  (PrimaryIdentity.decode(try CacheMeta.value(db, PrimaryIdentity.metaKey)),
                   try CacheMeta.value(db, PrimarySwitch.metaKey))
              }) else { return false }
        return pending != nil || (recorded.map { $0.place != digests.place } ?? false)
    }

    /// Asks the primary which database it is (once per engine) and compares with the record.
    func provenance() async -> Provenance {
        guard let digests = primary.digests else { return .unknown }
        let identity: PrimaryIdentity
        if let known = knownIdentity.value {
            identity = known
        } else {
            do {
                identity = try await digests.identity()
            } catch {
                logger.notice("could not read the primary's identity", metadata: ["error": "\(error.userMessage)"])
                return .unknown
            }
            knownIdentity.value = identity
        }
        guard let (recorded, switchPending, empty) = try? await cache.read({ db in
            (PrimaryIdentity.decode(try CacheMeta.value(db, PrimaryIdentity.metaKey)),
             PrimarySwitch.decode(try CacheMeta.value(db, PrimarySwitch.metaKey)),
             try Namespace.allCases.allSatisfy { try CacheRows.isEmpty($0, db) })
        }) else { return .unknown }
        if let recorded {
            if recorded.fingerprint != identity.fingerprint { return .switched(from: recorded, to: identity) }
            // A refill that did not finish is taken up again.
            if switchPending != nil { return .switched(from: recorded, to: identity) }
            return recorded.place == identity.place ? .same(identity) : .unrecorded(identity)
        }
        return empty ? .firstFill(identity) : .unrecorded(identity)
    }

    /// The cache was filled from another primary: the writes still queued for that one are not
    /// sent to this one (they name its rows), the switch is recorded for every reader, and the
    /// job becomes a full sync of every namespace.
    func beginRefill(from old: PrimaryIdentity?, to new: PrimaryIdentity, job: inout SyncJob) async throws -> PrimarySwitch {
        let now = Date()
        let change = PrimarySwitch(from: old?.name ?? "another primary", to: new.name, at: Timestamp.format(now))
        logger.notice("the primary changed: refilling the cache", metadata: ["from": "\(change.from)", "to": "\(change.to)"])
        let jobID = job.id
        let pendingJSON = change.json
        try await cache.write { db in
            let pending = try OutboxStore.pending(db)
            for entry in pending {
                guard let id = entry.id else { continue }
                try OutboxStore.markApplied(id, error: "not sent: made against \(change.from), not \(change.to)",
                                            at: Timestamp.format(now), db)
            }
            if !pending.isEmpty {
                try CacheRows.record(SyncFailure(
                    jobID: jobID, at: Timestamp.format(now), entity: "outbox", errorType: .conflict,
                    message: "\(pending.count) write\(pending.count == 1 ? "" : "s") made against \(change.from) "
                        + "\(pending.count == 1 ? "was" : "were") not sent to \(change.to), which the cache now follows.",
                    attempt: 1), db)
            }
            // What was kept only for the old primary: tasks added while it was away, check-ins it
            // never took, its adjusted targets beyond the window a sync replaces.
            try db.execute(sql: "DELETE FROM cached_tasks WHERE id <= 0")
            try db.execute(sql: "DELETE FROM tally_habit_checkins WHERE pending = 1")
            try db.execute(sql: "DELETE FROM tally_day_targets")
            if let pendingJSON { try CacheMeta.set(db, PrimarySwitch.metaKey, pendingJSON, at: now) }
        }
        job.entities = Namespace.allCases.map(\.rawValue).joined(separator: ",")
        return change
    }

    /// What the job's end records about the primary: its identity once the cache is known to hold
    /// its rows (filled, refilled or verified whole), and the end of a refill.
    func recordProvenance(_ provenance: Provenance, synced: Bool, verifiedWhole: Bool, _ db: Database) throws {
        guard synced, let identity = provenance.identity, let json = identity.json else { return }
        switch provenance {
        case .unknown, .same:
            return
        case .firstFill, .switched:
            try CacheMeta.set(db, PrimaryIdentity.metaKey, json)
            try db.execute(sql: "DELETE FROM cache_meta WHERE key = ?", arguments: [PrimarySwitch.metaKey])
        case .unrecorded:
            if verifiedWhole { try CacheMeta.set(db, PrimaryIdentity.metaKey, json) }
        }
    }

    // MARK: Verifying

    /// `cache_meta` key: when a full sync last read every table whole. The scheduled pass counts
    /// from it as from a verification (it is not shown as one: it counted nothing).
    public static let fullReadKey = "tally.verify.fullSyncAt"

    /// A full sync of every namespace has just read every row and written those that differed:
    /// the next pass is due `verify_every` from now, and a pass under way is done with.
    func recordFullRead(at now: Date, _ db: Database) throws {
        try CacheMeta.set(db, Self.fullReadKey, Timestamp.format(now), at: now)
        try db.execute(sql: "DELETE FROM cache_meta WHERE key = ?", arguments: [VerifyPass.metaKey])
    }

    /// Whether a job starting at `now` (the engine's clock when nil) would verify a slice of the
    /// scheduled pass; with `alone`, whether that is reason enough for a job of its own (see
    /// `VerifySchedule.isDue`).
    public func verifyDue(at now: Date? = nil, alone: Bool = false) async -> Bool {
        let now = now ?? clock.now
        guard options.verifyEvery > 0, primary.digests != nil,
              let (last, fullRead, pass) = try? await cache.read({ db in
                  (VerifyReport.decode(try CacheMeta.value(db, VerifyReport.metaKey)),
                   Timestamp.parse(try CacheMeta.value(db, Self.fullReadKey)),
                   VerifyPass.decode(try CacheMeta.value(db, VerifyPass.metaKey)))
              }) else { return false }
        let verified = [Timestamp.parse(last?.finishedAt), fullRead].compactMap { $0 }.max()
        return VerifySchedule(every: options.verifyEvery, sliceRows: options.verifySliceRows)
            .isDue(lastVerified: verified, pass: pass, now: now, alone: alone)
    }

    /// Verifies what `request` asks, after the job synced, and records what it found. Returns the
    /// findings of this job (nil when nothing was due) or why it did not verify.
    ///
    /// `scope` is the window the job synced in: compared in a window of its own, a done task
    /// whose completion lies between the two would read as missing from a cache the sync had
    /// just left right.
    func verify(_ request: VerifyRequest, job: inout SyncJob, now: Date, scope: ScopeWindow) async -> (report: VerifyReport?, failure: String?) {
        guard let digests = primary.digests else {
            return (nil, request == .whole ? "the primary cannot be verified" : nil)
        }
        // A write the primary has not taken yet shows in the cache only: it would read as a difference.
        let waiting = (try? await cache.read { db in
            try OutboxStore.pendingCount(db) + (try CacheRows.pendingHabitIDs(db)).count
        }) ?? 0
        if waiting > 0 {
            return (nil, request == .whole ? "\(waiting) write\(waiting == 1 ? "" : "s") still wait for the primary; verify again once sent" : nil)
        }
        let schedule = VerifySchedule(every: options.verifyEvery, sliceRows: options.verifySliceRows)
        let verifier = CacheVerifier(cache: cache, primary: digests, scope: scope, now: now,
                                     chunkSize: options.fullChunkSize, logger: logger)
        let started = Timestamp.format(now)
        do {
            var report = VerifyReport(whole: request == .whole, startedAt: started, finishedAt: started)
            var pass: VerifyPass?
            var next: VerifyPass?
            var parts: [(VerifiedTable, IDRange)]
            switch request {
            case .whole:
                parts = VerifiedTable.all.map { ($0, IDRange.all) }
            case .ifDue:
                guard await verifyDue(at: now) else { return (nil, nil) }
                let current = (try await cache.read { db in VerifyPass.decode(try CacheMeta.value(db, VerifyPass.metaKey)) })
                    ?? VerifyPass(startedAt: started)
                (parts, next) = try await cache.read { db in try schedule.slice(of: current, db) }
                pass = current
            }
            for (table, range) in parts {
                let found = try await verifier.verify(table, ids: range)
                report.add(found, for: table.name)
            }
            let finished = max(now, clock.now)
            report.finishedAt = Timestamp.format(finished)
            let fixed = report.tables.values.reduce(0) { $0 + $1.differences + $1.leftScope }
            job.rowsFetched += report.rowsRead
            job.rowsWritten += fixed
            // What the pass found so far goes with it; a finished pass (or a whole verification)
            // becomes the last verification.
            var last: VerifyReport?
            if request == .whole {
                last = report
            } else if var pass {
                for (name, found) in report.tables { pass.found[name, default: VerifyReport.Findings()].add(found) }
                if var next {
                    next.found = pass.found
                    next.startedAt = pass.startedAt
                    let json = next.json
                    try await cache.write { db in if let json { try CacheMeta.set(db, VerifyPass.metaKey, json) } }
                } else {
                    last = VerifyReport(whole: false, startedAt: pass.startedAt, finishedAt: report.finishedAt, tables: pass.found)
                }
            }
            if let last, let json = last.json {
                let jobID = job.id
                try await cache.write { db in
                    try CacheMeta.set(db, VerifyReport.metaKey, json, at: finished)
                    try db.execute(sql: "DELETE FROM cache_meta WHERE key = ?", arguments: [VerifyPass.metaKey])
                    try CacheRows.resolveFailures(of: "verify", exceptJob: jobID, at: Timestamp.format(finished), db)
                }
            }
            if report.differences > 0 {
                logger.notice("verification found differences", metadata: ["found": "\(report.summary)"])
            }
            return (report, nil)
        } catch {
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            logger.warning("verification failed", metadata: ["detail": "\(failure.detail)"])
            let row = SyncFailure(jobID: job.id, at: Timestamp.format(Date()), entity: "verify", errorType: failure.type,
                                  message: failure.message, attempt: 1)
            _ = try? await cache.write { db in try CacheRows.record(row, db) }
            return (nil, failure.message)
        }
    }
}
