import ArgumentParser
import Foundation
import TallyCLI
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

            Options every command takes, before or after its name (tally --cache X status):
              --cache PATH       the SQLite cache (default ~/.workos-cache/cache.db)
              --primary URL      postgres://user:pw@host/db or sqlite:///path.db
              --config PATH      the config file (default as above)
              --read-only        never write the cache
              --stale-after S    seconds before cached data is stale (default 900)
            The dashboard's (tally, tally dash, tally demo):
              --theme NAME       default, light, gruvbox, nord, dracula, monochrome, …
              --refresh S        seconds between checks for stale data (default 60)
            """,
        version: TallyVersion.current,
        // Every command names itself (`commandName:`): a name left to ArgumentParser is made
        // from the type's name by `String(describing:)`, whose protocol-conformance lookups
        // scan the whole statically linked binary, for every subcommand, at every start.
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
            let arguments = LeadingOptions.reorder(Array(CommandLine.arguments.dropFirst()), commandPath: commandPath)
            var command: any ParsableCommand
            if let parsed = parseQuickly(arguments) {
                command = parsed
            } else {
                command = try parseAsRoot(arguments)
            }
            // A render and a sync are run as themselves: asking whether a command is an
            // `AsyncParsableCommand` costs the runtime two scans of the binary's conformances, a
            // sixth of a millisecond of a frame and more in a sync, whose other threads start
            // meanwhile (docs/ARCHITECTURE.md, "Start-up").
            if let render = command as? Render {
                try await render.run()
            } else if let sync = command as? Sync {
                try await sync.run()
            } else if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitReporting(error)
        }
    }

    /// `arguments` parsed without going through the whole command tree, or nil when they do not
    /// parse that way (no command word, help, a mistake): the caller parses them from the root
    /// then, so every message and exit is the one the root's parse gives.
    ///
    /// A parse from the root reflects over every command's options (the built-in flags, the
    /// completion-script request and the pass-through checks walk the whole tree), and each
    /// generic type it meets costs the runtime a scan of all the binary's conformances. `render`
    /// and `sync`, run by scripts, status bars and cron, read their plain forms with
    /// `QuickArguments` (about 3 ms of a 17 ms `tally render`); any other command is parsed
    /// from its own type (about 1 ms). A debug build checks every such parse against the
    /// root's (`checkAgainstTheRootParse`), so the tests catch a quick parse that drifts.
    static func parseQuickly(_ arguments: [String]) -> (any ParsableCommand)? {
        guard let word = arguments.first else { return nil }
        let rest = Array(arguments.dropFirst())
        let parsed: (any ParsableCommand)?
        switch word {
        case "render": parsed = Render.parse(quickly: rest)
        case "sync": parsed = Sync.parse(quickly: rest)
        default:
            guard let subcommand = configuration.subcommands.first(where: { $0._commandName == word }),
                  subcommand.configuration.subcommands.isEmpty else { return nil }
            // Only the command itself: ArgumentParser answers `--help` with a help command
            // whose usage line would lack `tally`.
            guard let command = try? subcommand.parseAsRoot(rest),
                  ObjectIdentifier(type(of: command)) == ObjectIdentifier(subcommand) else { return nil }
            parsed = command
        }
        #if DEBUG
        if let parsed { checkAgainstTheRootParse(parsed, arguments) }
        #endif
        return parsed
    }

    #if DEBUG
    /// Stops a debug build whose quick parse of `arguments` made another command than the
    /// root's parse makes (a new option the quick parse does not know, a changed default).
    static func checkAgainstTheRootParse(_ quick: any ParsableCommand, _ arguments: [String]) {
        var made = "", expected = ""
        dump(quick, to: &made)
        do {
            dump(try parseAsRoot(arguments), to: &expected)
        } catch {
            expected = "refused: \(error)"
        }
        precondition(made == expected, "the quick parse of \(arguments) made\n\(made)\nbut ArgumentParser made\n\(expected)")
    }
    #endif

    /// How many of `words` name a command and its subcommands (`primary init`: 2).
    static func commandPath(_ words: [String]) -> Int {
        var command: any ParsableCommand.Type = Tally.self
        var count = 0
        for word in words {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = next
            count += 1
        }
        return count
    }

    static func exitReporting(_ error: any Error) -> Never {
        CommandLineFailure.exit(error, Tally.self) { helpCommand(for: CommandLine.arguments) }
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
        CommandLineFailure.fail(message, code: code == 0 ? 1 : code)
    }
}
