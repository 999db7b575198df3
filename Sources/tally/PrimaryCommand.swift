import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally primary init|seed-demo`.
    struct Primary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "primary",
            abstract: "Set up the primary database.", subcommands: [Init.self, SeedDemo.self])

        struct Init: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "init",
                abstract: "Create the tables of a new primary database, as WorkOS has them (safe to run again).",
                discussion: """
                    Only missing tables are created; tables that exist are left exactly as they are, so an
                    existing WorkOS database is not changed. Tally needs nothing else there: deletions are found
                    by comparing ids and completions are exactly-once by their own timestamp.

                    --push also installs a function, tally_notify(), and a statement-level trigger on clients,
                    tasks, daily_goals and habits that sends NOTIFY tally_changes on every change, so a running
                    dashboard syncs within a second of a change made elsewhere. Without it the refresh timer and
                    R keep the cache fresh.
                    """)

            @OptionGroup var global: GlobalOptions

            @Flag(help: "Also install the NOTIFY triggers that push changes to running dashboards (PostgreSQL).")
            var push = false

            func run() async throws {
                let config = try global.resolve()
                guard let location = try config.primaryLocation() else { throw TallyError.noPrimary }
                let primary: any PrimaryStore
                var tablesBefore: [String]?
                if case .sqlite(let path) = location {
                    tablesBefore = try SQLitePrimary.inventory(path: path).tables
                    primary = try SQLitePrimary(path: path, create: true)
                } else {
                    primary = try Workspace.makePrimary(location)
                }
                var created: [String]
                var pushWasThere = false
                do {
                    if push, let pushing = primary as? any PrimaryPush { pushWasThere = try await pushing.pushInstalled() }
                    created = try await primary.initSchema(push: push)
                } catch {
                    await primary.close()
                    throw FailureClassifier.classify(error, primary: primary.displayName)
                }
                await primary.close()
                if let tablesBefore {
                    // A SQLite primary makes its tables when opened: say which were new.
                    created = DemoSeal.demoTables.filter { !tablesBefore.contains($0) }.map { "table \($0)" }
                }
                // The triggers are made again each time (so a changed definition takes); say
                // "created" only the first time.
                if pushWasThere { created.removeAll { $0.hasPrefix("function tally_notify()") } }
                for item in created { Console.out("Created \(item).") }
                if pushWasThere { Console.out("The NOTIFY triggers (tally_notify()) were already installed.") }
                let ready = created.isEmpty ? "; it already had every table" : ""
                Console.out("Primary \(primary.displayName) is ready\(ready).")
            }
        }

        struct SeedDemo: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "seed-demo",
                abstract: "Empty a primary and fill it with demo data (only a new or an earlier demo's database).",
                discussion: """
                    Deletes every row of clients, tasks, daily_goals, habits and habit_completions in the \
                    database --primary names, then writes the demo's (creating the tables first where the \
                    database is empty). The target is only ever --primary: never TALLY_PRIMARY, the config \
                    or DATABASE_URL. It refuses a database that holds tables or rows the demo did not \
                    write, such as a WorkOS database in use, unless --replace-everything says so. On a \
                    terminal it asks before it starts; in a script, pass --yes.
                    """)

            @OptionGroup var global: GlobalOptions

            @Option(parsing: .unconditional, help: "How many tasks (0–2000000).")
            var tasks: String = "150"

            @Option(parsing: .unconditional, help: "Days of goal history (1–36500; default 60, 1825 from 10,000 tasks).")
            var days: String?

            @Flag(help: "Do not ask: the database is new or an earlier demo's, and may be emptied.")
            var yes = false

            @Flag(name: .customLong("replace-everything"),
                  help: "Empty the demo's tables even when they hold data the demo did not write (a person's).")
            var replaceEverything = false

            func validate() throws {
                _ = try counts()
                guard global.primary != nil else {
                    throw ValidationError("seed-demo needs --primary URL: it empties that database, so it never takes one "
                                          + "from TALLY_PRIMARY, the config or DATABASE_URL.")
                }
            }

            func counts() throws -> (tasks: Int, days: Int) {
                let taskCount = try GlobalOptions.count("--tasks", tasks, in: 0...2_000_000)
                let dayCount = try days.map { try GlobalOptions.count("--days", $0, in: 1...36_500) }
                return (taskCount, dayCount ?? (taskCount >= 10_000 ? 1825 : 60))
            }

            func run() async throws {
                _ = try global.resolve()
                guard let url = global.primary else { throw TallyError.noPrimary }
                let location = try PrimaryLocation(parsing: url)
                let seeder = DemoSeeder(location: location)
                let inventory = try await seeder.inventory()
                if !inventory.verdict.mayReplace && !replaceEverything {
                    guard case .foreign(let reasons) = inventory.verdict else { return }
                    throw DemoSeal.refusal(location.description, reasons: reasons)
                }
                if !yes {
                    try confirm("Empty \(location) and fill it with demo data (\(DemoSeeder.describe(inventory)))?")
                }
                let (taskCount, dayCount) = try counts()
                let data = DemoData.make(taskCount: taskCount, days: dayCount)
                try await seeder.seed(data, replacingEverything: replaceEverything)
                Console.out("Seeded \(location) with \(data.clients.count) clients, \(data.tasks.count) tasks, \(data.goals.count) days of goals, \(data.habits.count) habits.")
            }

            /// Asks on the terminal. Without one, `--replace-everything` is the consent, and
            /// otherwise the line says how to give it.
            func confirm(_ question: String) throws {
                guard isatty(STDIN_FILENO) == 1 else {
                    if replaceEverything { return }
                    throw TallyError.badArgument("seed-demo empties the database it is given and there is no terminal to ask on; "
                                                 + "pass --yes to confirm.")
                }
                Console.prompt("\(question) [y/N] ")
                let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                guard answer == "y" || answer == "yes" else {
                    throw TallyError.badArgument("Nothing was changed.")
                }
            }
        }
    }
}
