import Foundation
import GRDB

/// `tally_sync_jobs`: one running job per cache across processes, progress after every chunk,
/// and jobs left behind by a process that died.
public enum SyncJobStore {
    /// Marks jobs whose process is gone as interrupted, then inserts a running job; nil when
    /// another job runs. The unique index on running jobs makes this the cross-process lock.
    public static func claim(kind: SyncJob.Kind, namespaces: [Namespace], watermark: String?,
                             staleBefore: String, at now: Date, _ db: Database) throws -> SyncJob? {
        _ = try markDead(staleBefore: staleBefore, db)
        var job = SyncJob(kind: kind, entities: namespaces, startedAt: Timestamp.format(now))
        job.pid = Int(getpid())
        job.heartbeatAt = job.startedAt
        job.watermark = watermark
        do {
            try db.execute(sql: """
                INSERT INTO tally_sync_jobs (\(SyncJob.storedColumns.joined(separator: ", ")))
                VALUES (\(databaseQuestionMarks(count: SyncJob.storedColumns.count)))
                """, arguments: StatementArguments(job.storedValues))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            return nil
        }
        job.id = db.lastInsertedRowID
        return job
    }

    /// The running job's id, if any.
    public static func runningJobID(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT job_id FROM tally_sync_jobs WHERE status = 'running'")
    }

    public static func job(_ id: Int64, _ db: Database) throws -> SyncJob? {
        try SyncJob.fetchOne(db, key: ["job_id": id])
    }

    /// Whether a `running` job's process has died (or its heartbeat stopped): a read, so that
    /// a sync writes (`markDead`) only when there is one.
    public static func hasDead(staleBefore: String, _ db: Database) throws -> Bool {
        try SyncJob.fetchAll(db, sql: "SELECT * FROM tally_sync_jobs WHERE status = 'running'")
            .contains { isDead($0, staleBefore: staleBefore) }
    }

    static func isDead(_ job: SyncJob, staleBefore: String) -> Bool {
        let processGone = job.pid.map { pid in pid <= 0 || (kill(pid_t(pid), 0) != 0 && errno == ESRCH) } ?? true
        let silent = (job.heartbeatAt ?? job.startedAt) < staleBefore
        return processGone || silent
    }

    /// Marks `running` jobs whose process has died (or whose heartbeat stopped) as interrupted.
    @discardableResult
    public static func markDead(staleBefore: String, _ db: Database) throws -> [Int64] {
        var dead: [Int64] = []
        for job in try SyncJob.fetchAll(db, sql: "SELECT * FROM tally_sync_jobs WHERE status = 'running'") {
            guard let id = job.id else { continue }
            if isDead(job, staleBefore: staleBefore) {
                try db.execute(sql: "UPDATE tally_sync_jobs SET status = ?, error_message = ? WHERE job_id = ?",
                               arguments: [SyncJob.Status.interrupted.rawValue,
                                           "The process running this job stopped; it resumes on the next sync.", id])
                dead.append(id)
            }
        }
        return dead
    }

    /// Interrupted jobs not yet resumed, oldest first.
    public static func resumable(_ db: Database) throws -> [SyncJob] {
        try SyncJob.fetchAll(db, sql: """
            SELECT * FROM tally_sync_jobs WHERE status = ? AND finished_at IS NULL ORDER BY job_id
            """, arguments: [SyncJob.Status.interrupted.rawValue])
    }

    /// Closes a job another one resumed.
    public static func markResumed(_ id: Int64, by job: Int64?, at now: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE tally_sync_jobs SET finished_at = coalesce(finished_at, ?), error_message = ? WHERE job_id = ?",
                       arguments: [now, "resumed by job \(job ?? 0)", id])
    }

    /// Stores the job's progress and heartbeat.
    public static func save(_ job: SyncJob, _ db: Database) throws {
        guard let id = job.id else { throw RecordError.recordNotFound(databaseTableName: SyncJob.databaseTableName, key: ["job_id": .null]) }
        try db.execute(sql: """
            UPDATE tally_sync_jobs SET \(SyncJob.storedColumns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE job_id = ?
            """, arguments: StatementArguments(job.storedValues + [id.databaseValue]))
        if db.changesCount == 0 {
            throw RecordError.recordNotFound(databaseTableName: SyncJob.databaseTableName, key: ["job_id": id.databaseValue])
        }
    }
}
