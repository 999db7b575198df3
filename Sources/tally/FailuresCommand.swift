import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally failures`: why syncs failed.
    struct Failures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "failures", abstract: "List sync failures, newest first.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        @Flag(help: "Include resolved failures.")
        var all = false

        @Option(parsing: .unconditional, help: "At most this many (1–100000).")
        var limit: String = "100"

        func validate() throws {
            _ = try GlobalOptions.count("--limit", limit, in: 1...100_000)
        }

        func run() async throws {
            let workspace = try await global.existingWorkspace(needsPrimary: false)
            guard try workspace.cache.hasTallyTables() else {
                if json { Console.json("[]") } else { Console.out("No sync failures recorded.") }
                return
            }
            let all = self.all
            let limit = try GlobalOptions.count("--limit", limit, in: 1...100_000)
            let failures = try await workspace.cache.read { db in
                try SyncFailure.fetchAll(db, sql: """
                    SELECT * FROM tally_sync_failures \(all ? "" : "WHERE resolved_at IS NULL") ORDER BY id DESC LIMIT ?
                    """, arguments: [limit])
            }
            if json {
                Console.json(JSONOutput.string(failures.map(JSONOutput.failure)))
                return
            }
            if failures.isEmpty { Console.out("No \(all ? "" : "unresolved ")sync failures.") }
            for failure in failures {
                let job = failure.jobID.map { "job \($0)" } ?? "—"
                Console.out("\(failure.at)  \(failure.entity)  \(failure.errorType)  attempt \(failure.attemptText)  \(job)")
                Console.out("    \(TextSafety.sanitize(failure.message))")
                if let cause = failure.cause { Console.out("    cause: \(TextSafety.sanitize(cause))") }
            }
        }
    }
}
