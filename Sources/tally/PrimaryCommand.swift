import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally primary init|seed-demo`.
    struct Primary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set up the primary database.", subcommands: [Init.self, SeedDemo.self])

        struct Init: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
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
                if case .sqlite(let path) = location {
                    primary = try SQLitePrimary(path: path, create: true)
                } else {
                    primary = try Workspace.makePrimary(location)
                }
                let created: [String]
                do {
                    created = try await primary.initSchema(push: push)
                } catch {
                    await primary.close()
                    throw FailureClassifier.classify(error, primary: primary.displayName)
                }
                await primary.close()
                for item in created { print("Created \(item).") }
                print("Primary \(primary.displayName) is ready\(created.isEmpty ? "; it already had every table" : "").")
            }
        }

        struct SeedDemo: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "seed-demo",
                abstract: "Replace the primary's data with demo data (creates the schema first).")

            @OptionGroup var global: GlobalOptions

            @Option(help: "How many tasks.")
            var tasks: Int = 150

            @Option(help: "Days of goal history.")
            var days: Int?

            func validate() throws {
                guard (0...2_000_000).contains(tasks) else { throw ValidationError("--tasks must be from 0 to 2000000.") }
            }

            func run() async throws {
                let config = try global.resolve()
                guard let location = try config.primaryLocation() else { throw TallyError.noPrimary }
                let data = DemoData.make(taskCount: tasks, days: days ?? (tasks >= 10_000 ? 1825 : 60))
                switch location {
                case .sqlite(let path):
                    let primary = try SQLitePrimary(path: path, create: true)
                    try primary.write { db in
                        for namespace in Namespace.allCases { try db.execute(sql: "DELETE FROM \(namespace.primaryTable)") }
                        try data.insert(into: db)
                    }
                    await primary.close()
                case .postgres(let url):
                    let primary = PostgresPrimary(url: url)
                    do {
                        try await primary.initSchema(push: false)
                        try await primary.seed(data)
                    } catch {
                        await primary.close()
                        throw FailureClassifier.classify(error, primary: primary.displayName)
                    }
                    await primary.close()
                }
                print("Seeded \(location) with \(data.clients.count) clients, \(data.tasks.count) tasks, \(data.goals.count) days of goals, \(data.habits.count) habits.")
            }
        }
    }
}
