import ArgumentParser
import Foundation
import TallyCore

extension Tally {
    /// `tally demo`: a realistic workspace to try Tally on.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a demo workspace (a local SQLite primary and a cache) and open the dashboard on it.",
            discussion: """
                The demo has the seed's six clients, tasks in every status and tier, a history of daily \
                goals with streaks, and habits. It replaces an earlier demo in the same directory. \
                --tasks 100000 makes the 'large' benchmark workload (50 clients, 50 habits).
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "Directory for primary.db and cache.db (default $XDG_DATA_HOME/tally/demo).")
        var dir: String?

        @Option(help: "How many tasks to make.")
        var tasks: Int = 150

        @Option(help: "Days of goal history (default 60; 1825 from 10,000 tasks).")
        var days: Int?

        @Flag(name: .customLong("no-ui"), help: "Make the workspace and print its paths; do not open the dashboard.")
        var noUI = false

        func validate() throws {
            guard (0...2_000_000).contains(tasks) else { throw ValidationError("--tasks must be from 0 to 2000000.") }
            if let days, !(1...36_500).contains(days) { throw ValidationError("--days must be from 1 to 36500.") }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            GlobalOptions.startLogging(environment: environment)
            let workspace = DemoWorkspace(directory: dir ?? DemoWorkspace.defaultDirectory(environment: environment))
            let started = Date()
            let summary = try await workspace.create(tasks: tasks, days: days ?? (tasks >= 10_000 ? 1825 : 60))
            let seconds = Date().timeIntervalSince(started)
            print("Demo workspace ready in \(String(format: "%.1f", seconds)) s (\(summary.job.rowsWritten) rows synced).")
            print("  primary: \(workspace.primaryURL)")
            print("  cache:   \(workspace.cachePath)")
            print("Open it again with:")
            print("  tally --cache \(workspace.cachePath) --primary \(workspace.primaryURL)")
            guard !noUI else { return }
            var dash = Dash()
            dash.global = global
            dash.global.cache = workspace.cachePath
            dash.global.primary = workspace.primaryURL
            try await dash.run()
        }
    }
}
