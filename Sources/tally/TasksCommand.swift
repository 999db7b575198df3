import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally tasks`: the task list for scripts.
    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tasks", abstract: "List tasks from the cache.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only this client (name, case-insensitive, or id).")
        var client: String?

        @Option(help: "Which tasks, as the dashboard's status filter.")
        var status: StatusOption = .active

        @Option(help: "Only titles containing this text.")
        var search: String = ""

        @Option(parsing: .unconditional, help: "At most this many tasks (1–1000000).")
        var limit: String = "1000"

        @Flag(help: "Print JSON (indented on a terminal, one line in a pipe).")
        var json = false

        func validate() throws {
            _ = try GlobalOptions.count("--limit", limit, in: 1...1_000_000)
        }

        func run() async throws {
            let workspace = try await global.existingWorkspace(needsPrimary: false)
            var query = TaskQuery(status: status.filter, search: search, limit: try GlobalOptions.count("--limit", limit, in: 1...1_000_000))
            let now = Date()
            let clients = try workspace.cache.snapshot(query: TaskQuery(limit: 1), now: now).clients
            if let client {
                let match = clients.first { $0.client.name.lowercased() == client.lowercased() || String($0.client.id) == client }
                guard let match else {
                    throw TallyError.badArgument("No client named \(client.debugDescription); clients: \(clients.map(\.client.name).joined(separator: ", ")).")
                }
                query.clientID = match.client.id
            }
            let snapshot = try workspace.cache.snapshot(query: query, now: now)
            await workspace.countLookups([.tasks], snapshot: snapshot, now: now)
            if json {
                Console.json(JSONOutput.string(snapshot.tasks.rows.map(JSONOutput.task), pretty: isatty(STDOUT_FILENO) == 1))
                return
            }
            for row in snapshot.tasks.rows {
                let t = row.task
                let title = TextSafety.sanitize(t.title)
                let client = TextSafety.sanitize(row.clientName ?? "—")
                Console.out("\(t.id)\t\(t.taskStatus)\t\(client)\t\(t.effectivePoints) pts\t\(title)\(row.isPending ? "\t(pending)" : "")")
            }
            if snapshot.tasks.total > snapshot.tasks.rows.count {
                Console.note("(\(snapshot.tasks.rows.count) of \(snapshot.tasks.total) shown; use --limit)")
            }
        }
    }
}
