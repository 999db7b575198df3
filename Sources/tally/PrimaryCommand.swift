import ArgumentParser
import Foundation
import TallyCore

extension Tally {
    /// `tally primary init|seed-demo`.
    struct Primary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set up the primary database.", subcommands: [Init.self, SeedDemo.self])

        struct Init: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create the primary's tables, change triggers and NOTIFY triggers (safe to run again).")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                let config = try global.resolve()
                guard let location = try config.primaryLocation() else { throw TallyError.noPrimary }
                let primary: any PrimaryStore
                if case .sqlite(let path) = location {
                    primary = try SQLitePrimary(path: path, create: true)
                } else {
                    primary = try Workspace.makePrimary(location)
                }
                do {
                    try await primary.initSchema()
                } catch {
                    await primary.close()
                    throw FailureClassifier.classify(error, primary: primary.displayName)
                }
                await primary.close()
                print("Primary \(primary.displayName) is ready.")
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
                        try db.execute(sql: "DELETE FROM tally_deleted")
                        try db.execute(sql: "DELETE FROM tally_applied")
                        try data.insert(into: db)
                    }
                    await primary.close()
                case .postgres(let url):
                    let primary = PostgresPrimary(url: url)
                    do {
                        try await primary.initSchema()
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
