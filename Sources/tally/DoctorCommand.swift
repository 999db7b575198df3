import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally doctor`: is the cache healthy, and if not, rebuild it.
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check the cache (integrity, WAL, schema, sizes, last sync, outbox, permissions) and the primary.",
            discussion: "--repair rebuilds a damaged cache from the primary, keeping the old file as cache.db.damaged-<time>.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Rebuild a damaged cache from the primary.")
        var repair = false

        @Flag(help: "Rebuild even when the cache looks healthy.")
        var force = false

        func run() async throws {
            let config = try global.resolve()
            let report = CacheDoctor.check(path: config.cachePath)
            Console.out("Cache \(config.cachePath)")
            show(report.checks)
            var primaryProblems = false
            if let primary = try config.primaryLocation() {
                // Reachable, tables, change and push triggers, clock skew.
                Console.out("Primary \(primary)")
                let checks = await PrimaryDoctor.check(primary)
                show(checks)
                primaryProblems = checks.contains { $0.level == .problem }
            }
            guard repair else {
                if report.isDamaged { Console.out("The cache is damaged; run `tally doctor --repair` to rebuild it from the primary.") }
                if report.hasProblems || primaryProblems { throw ExitCode(1) }
                return
            }
            guard report.isDamaged || force || !FileManager.default.fileExists(atPath: config.cachePath) else {
                Console.out("Nothing to repair (use --force to rebuild anyway).")
                return
            }
            let (aside, summary) = try await CacheDoctor.repair(config: config)
            if let aside { Console.out("Moved the old cache to \(aside).") }
            Console.out("Rebuilt: \(summary.job.rowsWritten) rows from the primary (job \(summary.job.id ?? 0) \(summary.job.status)).")
            if !summary.succeeded { throw ExitCode(2) }
        }

        func show(_ checks: [CacheDoctor.Check]) {
            for check in checks {
                let mark = check.level == .ok ? "✓" : (check.level == .warning ? "!" : "✗")
                Console.out("  \(mark) \(check.name): \(check.detail)")
            }
        }
    }
}
