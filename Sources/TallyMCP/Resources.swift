import Foundation
import GRDB
import Logging
import MCP
import TallyCore

/// The resources `tally mcp` offers: today's figures, a status's tasks, the habits and the sync
/// jobs, each JSON, each one a client can subscribe to (`ResourceWatcher`).
enum ResourceCatalog {
    static let today = "tally://today"
    static let habits = "tally://habits"
    static let sync = "tally://sync"
    static let tasksTemplate = "tally://tasks/{status}"
    static let taskStatuses = ["active", "queued", "backlog", "done"]

    static var listing: [Resource] {
        [
            Resource(name: "today", uri: today, description: "Today's points, target, pace, streak and debts (as workos_get_today_metrics).",
                     mimeType: "application/json"),
            Resource(name: "habits", uri: habits, description: "The active habits, their streaks and whether each is done today (as life_get_habits).",
                     mimeType: "application/json"),
            Resource(name: "sync", uri: sync, description: "The last sync, the running job, the recent jobs and the unresolved sync failures.",
                     mimeType: "application/json"),
        ] + taskStatuses.map { status in
            Resource(name: "tasks/\(status)", uri: "tally://tasks/\(status)",
                     description: "The \(status) work tasks in WorkOS's order, at most 100 (as workos_get_tasks).",
                     mimeType: "application/json")
        }
    }

    static var templates: [Resource.Template] {
        [Resource.Template(uriTemplate: tasksTemplate, name: "tasks",
                           description: "The work tasks of one status (active, queued, backlog, done), at most 100.",
                           mimeType: "application/json")]
    }

    /// Whether `uri` names a resource.
    static func knows(_ uri: String) -> Bool {
        [today, habits, sync].contains(uri) || taskStatus(uri) != nil
    }

    static func taskStatus(_ uri: String) -> String? {
        guard uri.hasPrefix("tally://tasks/") else { return nil }
        let status = String(uri.dropFirst("tally://tasks/".count))
        return taskStatuses.contains(status) ? status : nil
    }

    /// The resource's content, and what a change is judged by: the content without the figures
    /// that move with the clock alone (today's pace, pressure and points expected by now), so
    /// that only a commit that changes what it shows counts as a change.
    static func read(_ uri: String, _ context: ToolContext, now: Date? = nil) async throws -> (text: String, digest: String) {
        let now = now ?? context.clock.now
        switch uri {
        case today:
            let json = MetricsTools.todayJSON(try context.dayReading(now: now).figures)
            guard case .object(let members) = json else { return (json.text(), json.text()) }
            let steady = members.filter { !["paceStatus", "pressureLevel", "expectedPoints"].contains($0.0) }
            return (json.text(), JSON.object(steady).text(pretty: false))
        case habits:
            let statuses = try await HabitStatus.read(context.cache, now: now, timeZone: context.timeZone)
            let details = try await context.cache.read { db in try LifeStore.habitDetails(db) }
            let json = JSON.array(statuses.map { HabitTools.habit($0, details: details[$0.habit.id]) })
            return (json.text(), json.text(pretty: false))
        case sync:
            let json = try await syncJSON(context)
            return (json.text(), json.text(pretty: false))
        default:
            guard let status = taskStatus(uri) else { throw MCPError.invalidParams("Unknown resource: \(uri)") }
            let json = try await context.cache.read { db in
                let names = Dictionary(try Client.fetchAll(db, sql: "SELECT * FROM cached_clients").map { ($0.id, $0.name) },
                                       uniquingKeysWith: { first, _ in first })
                return JSON.array(try TaskList(status: status, clientID: nil, limit: 100).tasks(db).map { task in
                    RecordJSON.task(task, clientName: .some(task.clientID.flatMap { names[$0] }))
                })
            }
            return (json.text(), json.text(pretty: false))
        }
    }

    /// The sync jobs and failures.
    static func syncJSON(_ context: ToolContext) async throws -> JSON {
        try await context.cache.read { db in
            guard try db.tableExists("tally_sync_jobs") else {
                return .object([("lastSyncAt", .null), ("running", .null), ("jobs", .array([])), ("failures", .array([]))])
            }
            let lastSync = try String.fetchOne(db, sql: "SELECT value FROM cache_meta WHERE key = 'lastSyncAt'")
            let jobs = try SyncJob.fetchAll(db, sql: "SELECT * FROM tally_sync_jobs ORDER BY job_id DESC LIMIT 10")
            let failures = try SyncFailure.fetchAll(db, sql: """
                SELECT * FROM tally_sync_failures WHERE resolved_at IS NULL ORDER BY id DESC LIMIT 20
                """)
            func job(_ j: SyncJob) -> JSON {
                .object([("id", .optional(j.id)), ("kind", .string(j.kind.rawValue)), ("status", .string(j.status.rawValue)),
                         ("progressPercent", .double(j.progressPercent)), ("rowsWritten", .int(j.rowsWritten)),
                         ("startedAt", .string(j.startedAt)), ("finishedAt", .optional(j.finishedAt)),
                         ("error", .optional(j.errorMessage.map(PrimaryLocation.maskAll)))])
            }
            return .object([
                ("lastSyncAt", .optional(lastSync)),
                ("running", jobs.first { $0.status == .running }.map(job) ?? .null),
                ("jobs", .array(jobs.map(job))),
                ("failures", .array(failures.map { f in
                    .object([("at", .string(f.at)), ("entity", .string(f.entity)), ("type", .string(f.errorType)),
                             ("message", .string(PrimaryLocation.maskAll(f.message))), ("attempt", .int(f.attempt))])
                })),
            ])
        }
    }
}

/// Tells subscribed clients when a resource changes (`notifications/resources/updated`).
///
/// While anything is subscribed it looks at `PRAGMA data_version` on a connection of its own
/// (`ChangeWatcher`) ten times a second: any commit to the cache, by this process or another
/// (the dashboard, `tally complete`, the WorkOS server, a sync), moves it. Once the file has been
/// quiet for one look (a writer that rewrites a table row by row is seen finished, not half way;
/// at most 600 ms), each subscribed resource is read again and compared with what it showed
/// before: only those that differ are announced, so a commit that changes nothing a resource
/// shows announces nothing.
actor ResourceWatcher {
    private let context: ToolContext
    private let notify: @Sendable (String) async -> Void
    private let logger = Logger(label: "tally.mcp.resources")
    private var shown: [String: String] = [:]
    private var watcher: ChangeWatcher?
    private var generation = -1
    private var loop: Task<Void, Never>?
    /// Seconds between looks.
    let interval: Double

    init(context: ToolContext, interval: Double = 0.1, notify: @escaping @Sendable (String) async -> Void) {
        self.context = context
        self.interval = interval
        self.notify = notify
    }

    var subscriptions: Set<String> { Set(shown.keys) }

    func subscribe(_ uri: String) async throws {
        shown[uri] = try await ResourceCatalog.read(uri, context).digest
        guard loop == nil else { return }
        loop = Task { [weak self] in await self?.run() }
    }

    func unsubscribe(_ uri: String) {
        shown[uri] = nil
        if shown.isEmpty { stop() }
    }

    func stop() {
        loop?.cancel()
        loop = nil
    }

    private func mark() -> ChangeWatcher.Mark? {
        if watcher == nil || context.cache.generation != generation {
            watcher = try? ChangeWatcher(path: context.cache.path)
            generation = context.cache.generation
        }
        guard let mark = try? watcher?.mark() else {
            watcher = nil
            return nil
        }
        return mark
    }

    private func run() async {
        var last = mark()
        while !Task.isCancelled, !shown.isEmpty {
            try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            var now = mark()
            guard now != last else { continue }
            // Settle: wait for a look that finds no further commit (at most 600 ms).
            var waited = 0.0
            while waited < 0.6, !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                waited += interval
                let next = mark()
                if next == now { break }
                now = next
            }
            last = now
            await announceChanges()
        }
    }

    /// Reads every subscribed resource and announces those that changed.
    func announceChanges() async {
        for uri in shown.keys.sorted() {
            guard let digest = try? await ResourceCatalog.read(uri, context).digest else { continue }
            if digest != shown[uri] {
                shown[uri] = digest
                logger.debug("resource changed", metadata: ["uri": "\(uri)"])
                await notify(uri)
            }
        }
    }
}
