import Foundation
import Logging
import PostgresNIO

/// `tally primary seed-demo` on PostgreSQL: what the database holds, and the seed that replaces
/// it only when that is an earlier demo's rows or nothing (see `DemoSeal`).
extension PostgresPrimary {
    /// Every table, view and foreign table outside PostgreSQL's own schemas.
    static let inventoryTablesSQL = """
        SELECT CASE WHEN n.nspname = current_schema() THEN c.relname::text
                    ELSE n.nspname || '.' || c.relname END
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        """

    static func inventory(_ connection: PostgresConnection, logger: Logger) async throws -> PrimaryInventory {
        var tables: [String] = []
        for try await name in try await connection.query(PostgresQuery(unsafeSQL: inventoryTablesSQL), logger: logger)
            .decode(String.self) {
            tables.append(name)
        }
        var rows: [String: DemoSeal.Rows] = [:]
        for table in DemoSeal.demoTables where tables.contains(table) {
            let sql = "SELECT count(*)::bigint, \(DemoSeal.largestID(table))::bigint FROM \(table)"
            for try await (count, maxID) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                .decode((Int64, Int64).self) {
                rows[table] = DemoSeal.Rows(count: count, maxID: maxID)
            }
        }
        var seal: DemoSeal?
        if tables.contains(DemoSeal.table) {
            var sealed: [String: DemoSeal.Rows] = [:]
            let sql = "SELECT table_name, row_count, max_id FROM \(DemoSeal.table)"
            for try await (name, count, maxID) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                .decode((String, Int64, Int64).self) {
                sealed[name] = DemoSeal.Rows(count: count, maxID: maxID)
            }
            seal = DemoSeal(tables: sealed)
        }
        return PrimaryInventory(tables: tables, rows: rows, seal: seal)
    }

    /// What the database holds now (read-only).
    public func inventory() async throws -> PrimaryInventory {
        let log = logger
        return try await run { connection in try await Self.inventory(connection, logger: log) }
    }

    /// Replaces the demo tables' rows with `data` and seals them, in one transaction that looks
    /// at the database again under a lock first: unless `replacingEverything`, anything but an
    /// earlier demo's rows (or none) stops it before a row is touched. Tables are created only
    /// where the database may be replaced.
    public func seedDemo(_ data: DemoData, replacingEverything: Bool) async throws {
        let before = try await inventory()
        if !replacingEverything, case .foreign(let reasons) = before.verdict {
            throw DemoSeal.refusal(displayName, reasons: reasons)
        }
        _ = try await initSchema(push: false)
        let columns = try await columns()
        let log = logger
        let shown = displayName
        try await inTransaction(deadline: 900) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7158203)", logger: log)
            let now = try await Self.inventory(connection, logger: log)
            if !replacingEverything, case .foreign(let reasons) = now.verdict {
                throw DemoSeal.refusal(shown, reasons: reasons)
            }
            try await connection.query("TRUNCATE clients, tasks, daily_goals, habits RESTART IDENTITY CASCADE", logger: log)
            // Each task's cognitive load goes in with it, as on the SQLite primary: an UPDATE of
            // every task after the INSERT wrote each row twice and left the table twice its size,
            // half of it dead copies for the VACUUM below.
            let loads = columns.has("tasks", "cognitive_load")
            let tasks = data.tasks.map { loads ? $0.databaseValues + [DemoLife.cognitiveLoad(of: $0).databaseValue] : $0.databaseValues }
            for (namespace, rows, extra) in [(Namespace.clients, data.clients.map(\.databaseValues), []),
                                             (.tasks, tasks, loads ? ["cognitive_load"] : []),
                                             (.goals, data.goals.map(\.databaseValues), []),
                                             (.habits, data.habits.map(\.databaseValues), [])] {
                try await Self.insert(namespace, rows: rows, extra: extra, columns: columns, connection, logger: log)
            }
            try await Self.seedCheckIns(data, columns: columns, connection, logger: log)
            try await Self.seedLife(data.life, columns: columns, connection, logger: log)
            for namespace in Namespace.allCases {
                let table = namespace.primaryTable
                try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)
                    """), logger: log)
            }
            try await Self.seal(connection, logger: log)
        }
        // Vacuumed as well as analyzed, as autovacuum would soon do: the pages are then marked
        // all-visible, and an incremental sync's id digest (count and sum of the ids) reads the
        // primary key's index alone (100,000 tasks: 6–7 ms against 9 for every heap page).
        // VACUUM cannot run in a transaction, so it follows the seed; and it comes before any
        // ANALYZE: a server that commits asynchronously (`synchronous_commit = off`) let an
        // ANALYZE's commit hold back the hint bits of the seed's rows, and VACUUM (ANALYZE) left
        // the task table's pages unmarked.
        _ = try await run(.writes, deadline: 300) { connection in
            try await connection.query("VACUUM clients, tasks, daily_goals, habits", logger: log)
            try await connection.query("ANALYZE clients, tasks, daily_goals, habits", logger: log)
        }
    }

    /// Records each demo table's rows as the seed left them.
    static func seal(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: DemoSeal.createSQL), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(DemoSeal.table)"), logger: logger)
        let inventory = try await inventory(connection, logger: logger)
        let at = Timestamp.format(Date())
        for (table, rows) in inventory.rows {
            try await connection.query("""
                INSERT INTO tally_demo_seed (table_name, row_count, max_id, seeded_at)
                VALUES (\(table), \(rows.count), \(rows.maxID), \(at))
                """, logger: logger)
        }
    }
}
