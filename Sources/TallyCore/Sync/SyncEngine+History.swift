import Foundation
import GRDB

/// The history older than the cache's scope, read from the primary into Tally's own tables.
///
/// The contract tables keep what the WorkOS MCP server keeps (done tasks of the last 90 days,
/// the 30 newest goal rows), so both programs agree on their rows. The history view wants a
/// year: the done work tasks completed before the scope's cut-off and the older goal rows are
/// read into `tally_history_tasks` and `tally_history_goals` (`HistoryStore`), once a local day.
extension SyncEngine {
    /// Rows of the history a cache transaction writes: short transactions, so another program
    /// writing the file is never kept waiting long.
    static let historyChunk = 2000
    /// How far past the scope's cut-off the backfill reads: the cut-off moves on every day, and
    /// until the next day's backfill the history must still meet it.
    static let historyOverlap: TimeInterval = 2 * 86400

    /// The window a backfill at `now` reads, or nil when the scope keeps every done task the
    /// history wants (or `history_days` is 0).
    func historyWindow(now: Date) -> (from: Date, through: Date)? {
        guard options.historyDays > 0, let doneDays = options.scope.doneDays, doneDays < options.historyDays else { return nil }
        // One day more than asked: the first day of a window is only partly read.
        let from = now.addingTimeInterval(-Double(options.historyDays + 1) * 86400)
        let through = now.addingTimeInterval(-Double(doneDays) * 86400 + Self.historyOverlap)
        return (from, through)
    }

    /// Whether the history is due a backfill: never read, read for another `history_days`, or
    /// last read on an earlier local day.
    public func historyIsDue(now: Date, timeZone: TimeZone = .current) throws -> Bool {
        guard historyWindow(now: now) != nil else { return false }
        guard let coverage = try cache.read({ db in try HistoryStore.coverage(db) }) else { return true }
        guard coverage.days == options.historyDays, let fetched = Timestamp.parse(coverage.fetchedAt) else { return true }
        return LocalDay(fetched, in: timeZone) != LocalDay(now, in: timeZone)
    }

    /// The backfill as a step of a job: a failure is recorded for the failures view and the
    /// log, but does not fail the job (the contract tables are synced; the history is extra).
    func backfillHistory(job: SyncJob, force: Bool) async {
        do {
            try await backfillHistory(force: force)
        } catch is CancellationError {
        } catch {
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            await record(failure, jobID: job.id, namespace: .tasks, attempt: 1, of: 1, triedOnceAfter: nil)
            logger.warning("history not read from the primary", metadata: ["detail": "\(failure.detail)"])
        }
    }

    /// Reads the history's window from the primary into Tally's tables when it is due (or
    /// `force`). Returns whether it ran.
    @discardableResult
    public func backfillHistory(force: Bool = false, now: Date = Date()) async throws -> Bool {
        guard let window = historyWindow(now: now), try force || historyIsDue(now: now) else { return false }
        let from = Timestamp.format(window.from)
        let through = Timestamp.format(window.through)
        let done = try await primary.doneWork(from: from, before: through)
        let since = LocalDay(window.from, in: .current).description
        let goals = try await primary.goals(since: since)
        let adjusted = try await primary.adjustedTargets(since: since)

        let run = Timestamp.format(now)
        var start = 0
        while start < done.count {
            let chunk = Array(done[start..<min(done.count, start + Self.historyChunk)])
            try await cache.write { db in try HistoryStore.upsert(chunk, run: run, db) }
            start += Self.historyChunk
        }
        let coverage = HistoryCoverage(from: from, through: through, days: options.historyDays, fetchedAt: run)
        try await cache.write { db in
            try HistoryStore.upsert(goals, adjusted: adjusted, run: run, db)
            try HistoryStore.finish(run: run, coverage: coverage, db)
        }
        logger.info("history read from the primary", metadata: ["tasks": "\(done.count)", "goals": "\(goals.count)", "from": "\(from)"])
        return true
    }
}
