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

    public func run(kind: SyncJob.Kind) async throws -> Result {
        let started = Date()
        let claimed = try await cache.write { db in
            try SyncJobStore.claim(kind: kind, namespaces: Namespace.allCases, watermark: nil,
                                   staleBefore: Timestamp.format(started.addingTimeInterval(-300)), at: started, db)
        }
        guard var job = claimed else {
            throw TallyError.syncAlreadyRunning(try await cache.read { db in try SyncJobStore.runningJobID(db) } ?? 0)
        }
        let (status, output) = await Self.execute(command)
        let text = TextSafety.sanitize(String(decoding: output.suffix(2000), as: UTF8.self))
        let tail = String(text.suffix(300)).trimmingCharacters(in: .whitespacesAndNewlines)
        let finished = Date()
        job.finishedAt = Timestamp.format(finished)
        job.status = status == 0 ? SyncJob.Status.completed : SyncJob.Status.failed
        job.progressPercent = status == 0 ? 100 : 0
        job.errorMessage = status == 0 ? (tail.isEmpty ? nil : tail) : "sync_command exited with status \(status): \(tail)"
        let final = job
        try await cache.write { db in
            try SyncJobStore.save(final, db)
            if status != 0 {
                let failure = SyncFailure(jobID: final.id, at: final.finishedAt ?? "", entity: "all", errorType: .internal,
                                          message: "sync_command exited with status \(status).",
                                          detail: PrimaryLocation.maskAll(tail), attempt: 1)
                try CacheRows.record(failure, db)
            }
        }
        return Result(job: job, outputTail: tail)
    }

    /// Runs `command` with `/bin/sh -c` and collects its status and output. Waiting for a child
    /// process blocks a thread, so it runs on a Dispatch queue of its own, never on the
    /// cooperative pool that async code shares.
    static func execute(_ command: String) async -> (Int32, Data) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                    let output = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, output))
                } catch {
                    continuation.resume(returning: (127, Data("could not start: \(error.localizedDescription)".utf8)))
                }
            }
        }
    }
}
