import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally history`: the points of the last days, one row a day, for a person or a script.
    struct HistoryCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Points per local day: earned (WorkOS's rules), target, hit, tasks done; oldest first.",
            discussion: """
                A day's earned points are those of the work tasks completed on it; its target is the \
                adjusted target, else the goal row's, else the default. Days older than the done tasks \
                the cache keeps take their goal row's figures, or show no data (earned null in JSON).
                """)

        @OptionGroup var global: GlobalOptions

        // `.unconditional`: "-3" is the value, not an unknown option, so the error can say what is wrong.
        @Option(parsing: .unconditional, help: "How many days, ending today (default 30).")
        var days: String = "30"

        @Flag(help: "Print JSON: an array of one object per day (indented on a terminal, one line in a pipe).")
        var json = false

        static func dayCount(_ text: String) throws -> Int {
            try GlobalOptions.count("--days", text, in: 1...36600, unit: "days")
        }

        func validate() throws {
            _ = try Self.dayCount(days)
        }

        func run() async throws {
            let count = try Self.dayCount(days)
            let workspace = try await global.existingWorkspace(needsPrimary: false)
            let config = workspace.config
            let history = try workspace.cache.history(now: Date(), defaultTarget: config.targetPoints, workday: config.workday,
                                                      doneDays: config.scope.doneDays)
            let rows = HistoryReport.days(history, count: count)
            if json {
                Console.json(JSONOutput.string(rows.map(HistoryReport.json), pretty: isatty(STDOUT_FILENO) == 1))
            } else {
                for line in HistoryReport.table(rows) { Console.out(line) }
            }
        }
    }
}
