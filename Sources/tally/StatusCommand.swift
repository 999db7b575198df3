import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally status`: one line (or JSON) for a prompt, a status bar or a health check.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Today's points, streak, last sync and cache health.",
            discussion: """
                Exit status: 0 healthy, 1 stale, 2 last sync failed, 3 no cache. With --format the \
                exit status is 0 whenever a line is printed (a status bar hides a module whose \
                command fails); health shows in the line instead.

                --format takes a template or a preset. Placeholders: \(StatusFormat.placeholderList) \
                ({{ and }} print a brace). Presets: waybar (its JSON: text, tooltip, class by pace), \
                tmux (colours in tmux's #[fg=…] syntax). For example:
                  tally status --format '{earned}/{target} {pace} · streak {streak}'
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        @Option(help: ArgumentHelp("One line for a status bar: a template of placeholders, or waybar, or tmux.",
                                   valueName: "TEMPLATE"))
        var format: String?

        func validate() throws {
            guard let format else { return }
            if json { throw ValidationError("--json and --format cannot be used together.") }
            do {
                _ = try StatusFormat(parsing: format)
            } catch {
                throw ValidationError(error.userMessage)
            }
        }

        func run() async throws {
            var config = try global.resolve(needsPrimary: false)
            let location = try config.primaryLocation()
            let primaryName = location?.description
            let now = Date()
            if let format {
                // A status bar runs this every few seconds: one read, and nothing written (no
                // hit-rate counts; a read-only connection writes nothing to set up the WAL).
                let shape = try StatusFormat(parsing: format)
                guard FileManager.default.fileExists(atPath: config.cachePath) else { throw TallyError.cacheMissing(config.cachePath) }
                config.readOnly = true
                let workspace = try await Workspace.open(config)
                let snapshot = try workspace.cache.snapshot(query: TaskQuery(limit: 1), now: now,
                                                            defaultTarget: config.targetPoints, workday: config.workday)
                let report = StatusReport(snapshot: snapshot, staleAfter: config.staleAfter, primary: primaryName,
                                          place: location.map(PrimaryIdentity.place(of:)), now: now)
                if shape == .waybar { Console.json(shape.render(report)) } else { Console.out(shape.render(report)) }
                return
            }
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
