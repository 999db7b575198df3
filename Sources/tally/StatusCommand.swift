import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally status`: one line (or JSON) for a prompt, a status bar or a health check.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Today's points, streak, last sync and cache health.",
            discussion: "Exit status: 0 healthy, 1 stale, 2 last sync failed, 3 no cache.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try global.resolve(needsPrimary: false)
            let location = try config.primaryLocation()
            let primaryName = location?.description
            let now = Date()
            guard FileManager.default.fileExists(atPath: config.cachePath) else {
                // JSON for a script keeps its shape; a person reads the same line as every command's.
                guard json else { throw TallyError.cacheMissing(config.cachePath) }
                let report = StatusReport(noCacheAt: config.cachePath, primary: primaryName, now: now)
                Console.json(JSONOutput.string(report.json))
                throw ExitCode(report.health.rawValue)
            }
            let workspace = try await Workspace.open(config)
            let snapshot = try workspace.cache.snapshot(query: TaskQuery(limit: 1), now: now,
                                                        defaultTarget: config.targetPoints, workday: config.workday)
            await workspace.countLookups([.goals], snapshot: snapshot, now: now)
            let report = StatusReport(snapshot: snapshot, staleAfter: config.staleAfter, primary: primaryName,
                                      place: location.map(PrimaryIdentity.place(of:)), now: now)
            if json { Console.json(JSONOutput.string(report.json)) } else { Console.out(report.line) }
            if report.health != .healthy { throw ExitCode(report.health.rawValue) }
        }
    }
}
