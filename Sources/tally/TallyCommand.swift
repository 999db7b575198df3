import ArgumentParser
import Foundation
import TallyCore

/// `tally`: the dashboard and the commands that script it.
@main
struct Tally: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "A terminal dashboard for tasks, points and streaks over the WorkOS cache.",
        discussion: """
            Reads the SQLite cache (default ~/.workos-cache/cache.db), refreshes it from the primary \
            database in the background, and completes tasks with write-through. Settings come from \
            flags, TALLY_* variables, then $XDG_CONFIG_HOME/tally/config.toml.
            """,
        version: "0.1.0",
        subcommands: [
            Dash.self, Demo.self, Render.self, Status.self, Sync.self, Complete.self, Add.self, Edit.self,
            Promote.self, Delete.self, Tasks.self, Habits.self, HabitCommand.self,
            Failures.self, HistoryCommand.self, Primary.self, Doctor.self, Mcp.self,
        ],
        defaultSubcommand: Dash.self
    )

    /// Parses, runs, and turns every error into one line on stderr and a non-zero exit.
    static func main() async {
        umask(0o077)
        // Past a file-size limit a write should fail (and be reported), not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitReporting(error)
        }
    }

    static func exitReporting(_ error: any Error) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        if let error = error as? TallyError { fail(error.userMessage, code: error.exitStatus) }
        if error is ClassifiedFailure { fail(error.userMessage, code: 1) }
        let code = exitCode(for: error)
        if code == .success { exit(withError: error) }  // --help, --version
        var message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        if message.hasPrefix("Error: ") { message.removeFirst(7) }
        // A mistyped command line: point at the help of the command that was typed.
        if code == .validationFailure {
            if message.hasSuffix(".") { message.removeLast() }
            message += " (see `\(helpCommand(for: CommandLine.arguments))`)"
        }
        fail(message, code: code.rawValue)
    }

    /// `tally complete --help` for `tally complete -x`: the subcommands named in `arguments`;
    /// the dashboard's for options without a command (`tally --refresh -1`).
    static func helpCommand(for arguments: [String]) -> String {
        if arguments.dropFirst().first?.hasPrefix("-") == true,
           !arguments.contains(where: { word in Tally.configuration.subcommands.contains { $0._commandName == word } }) {
            return "tally dash --help"
        }
        var command: any ParsableCommand.Type = Tally.self
        var words = ["tally"]
        for argument in arguments.dropFirst() where !argument.hasPrefix("-") {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { continue }
            command = next
            words.append(argument)
        }
        return (words + ["--help"]).joined(separator: " ")
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("tally: \(PrimaryLocation.maskAll(message))\n".utf8))
        Foundation.exit(code == 0 ? 1 : code)
    }
}
