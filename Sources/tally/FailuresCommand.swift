import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally failures`: why syncs failed.
    struct Failures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sync failures, newest first.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        @Flag(help: "Include resolved failures.")
        var all = false

        @Option(help: "At most this many.")
        var limit: Int = 100

        func run() async throws {
            let workspace = try await global.existingWorkspace()
            guard try workspace.cache.hasTallyTables() else {
                print(json ? "[]" : "No sync failures recorded.")
                return
            }
            let (all, limit) = (self.all, self.limit)
            let failures = try await workspace.cache.read { db in
                try SyncFailure.fetchAll(db, sql: """
                    SELECT * FROM tally_sync_failures \(all ? "" : "WHERE resolved_at IS NULL") ORDER BY id DESC LIMIT ?
                    """, arguments: [limit])
            }
            if json {
                print(JSONOutput.string(failures.map(JSONOutput.failure)))
                return
            }
            if failures.isEmpty { print("No \(all ? "" : "unresolved ")sync failures.") }
            for failure in failures {
                let job = failure.jobID.map { "job \($0)" } ?? "—"
                print("\(failure.at)  \(failure.entity)  \(failure.errorType)  attempt \(failure.attemptText)  \(job)")
                print("    \(TextSafety.sanitize(failure.message))")
                if let cause = failure.cause { print("    cause: \(TextSafety.sanitize(cause))") }
            }
        }
    }
}
