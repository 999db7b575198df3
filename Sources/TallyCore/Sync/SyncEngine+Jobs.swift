import Foundation
import GRDB
import GRDBSQLite
import Logging

/// Retries with backoff, failures recorded for the failures view, and the one running job per cache.
extension SyncEngine {
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
        // The columns came from the copy the cache kept, and a migration since has dropped one:
        // tried again at once with the columns read anew, nothing to report (`KeptSchema`).
        if failure.type == .schema, await primary.takeStaleKeptSchema() { return }
        // Once one namespace has spent its retries failing to reach the primary, the others try
        // once each: backing off again for every namespace kept `tally sync` against a host
        // that is down waiting 12 s to say so.
        let gaveUp = unreachable.value
        let attempts = failure.type.isTransient ? (gaveUp == nil ? options.maxAttempts : 1) : attempt
        await record(failure, jobID: job.id, namespace: namespace, attempt: attempt, of: attempts,
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
                triedOnceAfter: Namespace?) async {
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
        _ = try? await cache.write { db in try CacheRows.record(row, db) }
    }

    // MARK: One job per cache

    /// Marks jobs whose process is gone as interrupted, then inserts a running job.
    func claim(kind: SyncJob.Kind, namespaces: [Namespace], progress: Progress) async throws -> SyncJob {
        let now = Date()
        let staleBefore = Timestamp.format(now.addingTimeInterval(-options.staleHeartbeat))
        let watermark = Self.encode(progress)
        let claimed = try await cache.write { db in
            try SyncJobStore.claim(kind: kind, namespaces: namespaces, watermark: watermark, staleBefore: staleBefore, at: now, db)
        }
        if let claimed { return claimed }
        throw TallyError.syncAlreadyRunning(try await cache.read { db in try SyncJobStore.runningJobID(db) } ?? 0)
    }

    /// Interrupted jobs not yet resumed, oldest first (after marking dead ones interrupted).
    /// Asked before every `tally sync`: it writes only when a running job's process is gone.
    public func resumableJobs() async throws -> [SyncJob] {
        let staleBefore = Timestamp.format(Date().addingTimeInterval(-options.staleHeartbeat))
        let (dead, resumable) = try await cache.read { db in
            (try SyncJobStore.hasDead(staleBefore: staleBefore, db), try SyncJobStore.resumable(db))
        }
        guard dead else { return resumable }
        return try await cache.write { db in
            try SyncJobStore.markDead(staleBefore: staleBefore, db)
            return try SyncJobStore.resumable(db)
        }
    }
}
