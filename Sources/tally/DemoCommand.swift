import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally demo`: a realistic workspace to try Tally on.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Make a demo workspace (a local SQLite primary and a cache) and open the dashboard on it.",
            discussion: """
                The demo has the seed's six clients, tasks in every status and tier, a history of daily \
                goals with streaks, and habits. It replaces an earlier demo in the same directory. \
                --tasks 100000 makes the 'large' benchmark workload (50 clients, 50 habits).
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup(title: "Dashboard options") var dashboard: DashboardOptions

        @Option(help: "Directory for primary.db and cache.db (default $XDG_DATA_HOME/tally/demo).")
        var dir: String?

        @Option(parsing: .unconditional, help: "How many tasks to make (0–2000000).")
        var tasks: String = "600"

        @Option(parsing: .unconditional, help: "Days of goal history (1–36500; default 60, 1825 from 10,000 tasks).")
        var days: String?

        @Flag(name: .customLong("no-ui"), help: "Make the workspace and print its paths; do not open the dashboard.")
        var noUI = false

        /// How to run this binary again: `tally` when that is what was typed (it is on the
        /// `PATH`), else the path it was started by, made absolute (`make demo` runs
        /// `.build/debug/tally`, which is not on the `PATH`).
        static func invokedCommand(arguments: [String] = CommandLine.arguments,
                                   workingDirectory: String = FileManager.default.currentDirectoryPath) -> String {
            let invoked = arguments.first ?? "tally"
            guard invoked.contains("/") else { return invoked }
            if invoked.hasPrefix("/") { return invoked }
            let relative = invoked.hasPrefix("./") ? String(invoked.dropFirst(2)) : invoked
            return (workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/") + relative
        }

        func validate() throws {
            _ = try counts()
            // The demo makes its own cache and primary in --dir: a --cache or --primary would be
            // ignored, and a person who typed one expects it to be used.
            if global.cache != nil || global.primary != nil {
                throw ValidationError("tally demo makes its own cache and primary in --dir; --cache and --primary open "
                                      + "an existing workspace with `tally`.")
            }
        }

        func counts() throws -> (tasks: Int, days: Int) {
            let taskCount = try GlobalOptions.count("--tasks", tasks, in: 0...2_000_000)
            let dayCount = try days.map { try GlobalOptions.count("--days", $0, in: 1...36_500) }
            return (taskCount, dayCount ?? (taskCount >= 10_000 ? 1825 : 60))
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            GlobalOptions.startLogging(environment: environment)
            let workspace = DemoWorkspace(directory: dir ?? DemoWorkspace.defaultDirectory(environment: environment))
            let started = Date()
            let (taskCount, dayCount) = try counts()
            let summary = try await workspace.create(tasks: taskCount, days: dayCount)
            let seconds = Date().timeIntervalSince(started)
            Console.out("Demo workspace ready in \(String(format: "%.1f", seconds)) s (\(summary.job.rowsWritten) rows synced).")
            Console.out("  primary: \(workspace.primaryURL)")
            Console.out("  cache:   \(workspace.cachePath)")
            Console.out("Open it again with:")
            Console.out("  \(ShellWords.quote(Self.invokedCommand())) --cache \(ShellWords.quote(workspace.cachePath))"
                  + " --primary \(ShellWords.quote(workspace.primaryURL))")
            guard !noUI else { return }
            var dash = Dash()
            dash.global = global
            dash.dashboard = dashboard
            dash.global.cache = workspace.cachePath
            dash.global.primary = workspace.primaryURL
            try await dash.run()
        }
    }
}

/// Words for a command line a person copies into a shell.
enum ShellWords {
    /// `word` as is when the shell would read it back unchanged, else in single quotes.
    static func quote(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "/._-:+=@%,".contains($0) }
        if plain, !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
