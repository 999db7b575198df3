import Foundation
import GRDB

/// WorkOS's other tables on the SQLite primary: the same tables and columns as WorkOS's
/// PostgreSQL has them (`energy_states`, `brain_dump`, `client_memory`, `energy_feedback`, and
/// `tasks.cognitive_load`, `habits.time_of_day`/`category`, the goal rows' energy columns),
/// created by `createSchema` (`tally demo`, `tally primary init`) when missing, and read for
/// `SyncEngine.syncLife`. A primary file made before them simply lacks them: its tables read as
/// missing until `tally primary init` adds them.
extension SQLitePrimary: LifeSource {
    /// Adds WorkOS's other tables and columns where missing.
    static func createLifeTables(_ db: Database) throws {
        let added: [(table: String, column: String, type: String)] = [
            ("tasks", "cognitive_load", "TEXT"),
            ("habits", "time_of_day", "TEXT DEFAULT 'anytime'"),
            ("habits", "category", "TEXT"),
            ("daily_goals", "readiness_score", "INTEGER"),
            ("daily_goals", "energy_level", "TEXT"),
            ("daily_goals", "adjustment_reason", "TEXT"),
        ]
        for (table, column, type) in added where try !db.columns(in: table).contains(where: { $0.name == column }) {
            try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(column) \(type)")
        }
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS energy_states (
              id INTEGER PRIMARY KEY AUTOINCREMENT, level TEXT NOT NULL, source TEXT DEFAULT 'manual',
              oura_readiness INTEGER, oura_hrv INTEGER, oura_sleep INTEGER, note TEXT, recorded_at TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS energy_states_recorded_at ON energy_states(recorded_at);
            CREATE TABLE IF NOT EXISTS brain_dump (
              id INTEGER PRIMARY KEY AUTOINCREMENT, content TEXT NOT NULL, category TEXT, processed INTEGER DEFAULT 0,
              processed_at TEXT, converted_to_task_id INTEGER, created_at TEXT NOT NULL, context TEXT DEFAULT 'personal'
            );
            CREATE TABLE IF NOT EXISTS client_memory (
              id TEXT PRIMARY KEY, client_name TEXT NOT NULL UNIQUE, tier TEXT DEFAULT 'active', last_task_id TEXT,
              last_task_description TEXT, last_task_at TEXT, total_tasks INTEGER DEFAULT 0, stale_days INTEGER DEFAULT 0,
              notes TEXT, sentiment TEXT DEFAULT 'neutral', importance TEXT DEFAULT 'medium', avoidance_score INTEGER DEFAULT 0,
              blocker_reason TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, risk_level TEXT DEFAULT 'normal',
              work_debt TEXT
            );
            CREATE TABLE IF NOT EXISTS energy_feedback (
              id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, suggested_energy_level TEXT NOT NULL,
              actual_energy_level TEXT NOT NULL, user_feedback TEXT, completed_successfully INTEGER NOT NULL,
              created_at TEXT NOT NULL
            );
            """)
    }

    /// A primary made by Tally has WorkOS's `cognitive_load` (`createLifeTables`); a file from
    /// before it may not.
    public func readsLoadsWithTasks() async -> Bool {
        (try? await mapped { db in try db.columns(in: "tasks").contains { $0.name == "cognitive_load" } }) ?? false
    }

    /// A warm-up's tasks with their loads: the loads of a million-task demo, asked for by id
    /// after the tasks, were three seconds of its sync.
    public func fetchTasksWithLoads(after position: Watermark?, limit: Int, scope: ScopeWindow) async throws -> [[DatabaseValue]] {
        try await fetch(.tasks, after: position, limit: limit, order: .ids, scope: scope, extra: ["cognitive_load"])
    }

    public func readLife(_ queries: [LifeQuery]) async throws -> [String: LifeRead] {
        try await mapped { db in
            var answers: [String: LifeRead] = [:]
            for query in queries {
                answers[query.table.name] = try Self.read(query, db)
            }
            return answers
        }
    }

    static func read(_ query: LifeQuery, _ db: Database) throws -> LifeRead {
        let table = query.table
        guard try db.tableExists(table.source) else { return .missing }
        let present = Set(try db.columns(in: table.source).map(\.name))
        guard table.required.allSatisfy(present.contains) else { return .missing }
        let selection = table.columns.map { present.contains($0) ? $0 : "NULL" }.joined(separator: ", ")
        var arguments = StatementArguments()
        let condition: String
        switch query.condition {
        case .all:
            condition = "1"
        case .since(let column, let value):
            condition = "\(column) >= ?"
            arguments += [value]
        case .unprocessedOrSince(let column, let value):
            condition = present.contains("processed") ? "(coalesce(processed, 0) = 0 OR \(column) >= ?)" : "\(column) >= ?"
            arguments += [value]
        case .personal(let doneSince):
            if let doneSince {
                condition = "coalesce(category, 'work') = 'personal' AND (status IS NOT 'done' OR completed_at IS NULL OR completed_at >= ?)"
                arguments += [doneSince]
            } else {
                condition = "coalesce(category, 'work') = 'personal'"
            }
        case .ids(let ids):
            condition = "id IN (SELECT value FROM json_each(?))"
            arguments += ["[" + ids.map(String.init).joined(separator: ",") + "]"]
        case .nothing:
            condition = "0"
        }
        var rows: [[DatabaseValue]] = []
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(selection) FROM \(table.source) WHERE \(condition) ORDER BY \(table.key)",
                                         arguments: arguments)
        while let row = try cursor.next() { rows.append((0..<table.columns.count).map { row.value(at: $0) }) }
        let digest = LifeDigest.of(rows)
        if let known = query.knownDigest, known == digest { return .unchanged }
        return .rows(rows, digest: digest)
    }
}
