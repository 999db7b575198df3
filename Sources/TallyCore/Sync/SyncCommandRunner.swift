import Foundation
import GRDB

/// Cache-only mode's refresh: runs the configured `sync_command` (for example the WorkOS
/// server's `npm run sync`) as a job, recording its exit status and the tail of its output.
public struct SyncCommandRunner: Sendable {
    public let cache: CacheStore
    public let command: String

    public init(cache: CacheStore, command: String) {
        self.cache = cache
        self.command = command
    }

    public struct Result: Sendable {
        public var job: SyncJob
        public var outputTail: String
    }

    public func run(kind: SyncJob.Kind) throws -> Result {
        let started = Date()
        var job = try cache.write { db -> SyncJob in
            _ = try SyncEngine.markDeadJobs(db, staleBefore: Timestamp.format(started.addingTimeInterval(-300)))
            var job = SyncJob(kind: kind, entities: Namespace.allCases, startedAt: Timestamp.format(started))
            job.pid = Int(getpid())
            job.heartbeatAt = job.startedAt
            do { try job.insert(db) } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw TallyError.syncAlreadyRunning(try Int64.fetchOne(db, sql: "SELECT job_id FROM tally_sync_jobs WHERE status = 'running'") ?? 0)
            }
            return job
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        var status: Int32 = 127
        var output = Data()
        do {
            try process.run()
            output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            status = process.terminationStatus
        } catch {
            output = Data("could not start: \(error.localizedDescription)".utf8)
        }
        let text = TextSafety.sanitize(String(decoding: output.suffix(2000), as: UTF8.self))
        let tail = String(text.suffix(300)).trimmingCharacters(in: .whitespacesAndNewlines)
        let finished = Date()
        job.finishedAt = Timestamp.format(finished)
        job.status = status == 0 ? SyncJob.Status.completed.rawValue : SyncJob.Status.failed.rawValue
        job.progressPercent = status == 0 ? 100 : 0
        job.errorMessage = status == 0 ? (tail.isEmpty ? nil : tail) : "sync_command exited with status \(status): \(tail)"
        let final = job
        try cache.write { db in
            try final.update(db)
            if status != 0 {
                var failure = SyncFailure(jobID: final.id, at: final.finishedAt ?? "", entity: "all", errorType: .internal,
                                          message: "sync_command exited with status \(status).",
                                          detail: PrimaryLocation.maskAll(tail), attempt: 1)
                try failure.insert(db)
            }
        }
        return Result(job: job, outputTail: tail)
    }
}
