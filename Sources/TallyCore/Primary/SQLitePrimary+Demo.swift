import Foundation
import GRDB

/// `tally primary seed-demo` and `tally demo` on a SQLite primary: what the file holds, and the
/// seed that replaces it only when that is an earlier demo's rows or nothing (see `DemoSeal`).
extension SQLitePrimary {
    static func inventory(_ db: Database) throws -> PrimaryInventory {
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            """)
        var rows: [String: DemoSeal.Rows] = [:]
        for table in DemoSeal.demoTables where tables.contains(table) {
            if let row = try Row.fetchOne(db, sql: "SELECT count(*), \(DemoSeal.largestID(table)) FROM \(table)") {
                rows[table] = DemoSeal.Rows(count: row[0], maxID: row[1])
            }
        }
        var seal: DemoSeal?
        if tables.contains(DemoSeal.table) {
            var sealed: [String: DemoSeal.Rows] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT table_name, row_count, max_id FROM \(DemoSeal.table)") {
                sealed[row[0]] = DemoSeal.Rows(count: row[1], maxID: row[2])
            }
            seal = DemoSeal(tables: sealed)
        }
        return PrimaryInventory(tables: tables, rows: rows, seal: seal)
    }

    /// What the file holds now (read-only).
    public func inventory() throws -> PrimaryInventory {
        try pool.read { db in try Self.inventory(db) }
    }

    /// The inventory of the file at `path` without creating, changing or keeping it open (a
    /// read-only connection: opening it as a primary would already switch it to WAL); an empty
    /// inventory when there is no file.
    public static func inventory(path: String) throws -> PrimaryInventory {
        guard FileManager.default.fileExists(atPath: path) else { return PrimaryInventory(tables: [], rows: [:], seal: nil) }
        try FileSafety.requireRegularFile(path, role: "primary")
        guard FileSafety.looksLikeSQLite(path) else {
            throw TallyError.primaryUnreachable("sqlite://\(path)", reason: "the file is not a SQLite database")
        }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in try inventory(db) }
        } catch let error as DatabaseError {
            throw TallyError.primaryUnreachable("sqlite://\(path)", reason: error.message ?? "SQLite error \(error.resultCode)")
        }
    }

    /// Replaces the demo tables' rows with `data` and seals them, in one transaction that looks
    /// at the file first: unless `replacingEverything`, anything but an earlier demo's rows (or
    /// none) stops it before anything is written, tables included.
    public func seedDemo(_ data: DemoData, replacingEverything: Bool) throws {
        let shown = displayName
        try pool.write { db in
            if !replacingEverything, case .foreign(let reasons) = try Self.inventory(db).verdict {
                throw DemoSeal.refusal(shown, reasons: reasons)
            }
            try Self.createSchema(db)
            for table in DemoSeal.demoTables.reversed() { try db.execute(sql: "DELETE FROM \(table)") }
            try data.insert(into: db)
            try Self.seal(db)
        }
    }

    /// Fills a new primary with a planned demo (`DemoData.plan`): the clients, then the tasks a
    /// batch at a time, each batch in a transaction of its own, then the goal rows, habits and
    /// WorkOS's other tables in the last. A million tasks are never in memory at once, and the
    /// write-ahead log holds a batch, not the whole file (it is emptied at the end,
    /// `checkpoint`). The tasks' indexes are left to `finishDemo`, which also seals the rows: a
    /// demo interrupted before it has no seal, and `tally demo` replaces it whole.
    ///
    /// Each batch is made, down to its rows' values, while the one before it is written (the two
    /// take a core each).
    ///
    /// - Returns: the tasks' indexes set aside, for `finishDemo`.
    public func fillDemo(_ plan: DemoPlan, batchSize: Int = 20_000) async throws -> DemoIndexes {
        // Made to be thrown away and made again: a commit need not wait for the disk.
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let indexes = try await pool.write { db in
            try plan.data.insertClients(into: db)
            return try SetAsideIndexes.drop(on: ["tasks"], db)
        }
        let loads = try await pool.read { db in try DemoData.has("tasks", "cognitive_load", db) }
        let tasks = plan.tasks
        func making(_ start: Int) -> Task<(tasks: [WorkTask], rows: [[DatabaseValue]]), Never>? {
            guard start < tasks.count else { return nil }
            return Task {
                let batch = tasks.batch(start..<min(start + batchSize, tasks.count))
                return (batch, DemoData.taskRows(batch, loads: loads))
            }
        }
        var facts = DemoTaskFacts()
        var next = making(0)
        var start = 0
        while let made = next {
            let batch = await made.value
            start += batchSize
            next = making(start)
            for task in batch.tasks { facts.add(task) }
            try await pool.write { db in try DemoData.insertTaskRows(batch.rows, loads: loads, into: db) }
        }
        var data = plan.data
        data.life = plan.life(facts)
        let rest = data
        try await pool.write { db in try rest.insertRest(into: db) }
        return DemoIndexes(statements: indexes)
    }

    /// Makes the tasks' indexes `fillDemo` set aside and seals the demo's rows, in one
    /// transaction. Readers go on meanwhile (the demo's cache syncs from the rows by id, which
    /// needs none of these indexes).
    public func finishDemo(_ indexes: DemoIndexes) async throws {
        try await pool.write { db in
            try SetAsideIndexes.restore(indexes.statements, db)
            try Self.seal(db)
        }
    }

    /// Copies the write-ahead log into the file and truncates it to nothing.
    public func checkpoint() async throws {
        try await pool.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Records each demo table's rows as the seed left them.
    static func seal(_ db: Database) throws {
        try db.execute(sql: DemoSeal.createSQL)
        try db.execute(sql: "DELETE FROM \(DemoSeal.table)")
        let at = Timestamp.format(Date())
        for (table, rows) in try inventory(db).rows {
            try db.execute(sql: "INSERT INTO \(DemoSeal.table) (table_name, row_count, max_id, seeded_at) VALUES (?, ?, ?, ?)",
                           arguments: [table, rows.count, rows.maxID, at])
        }
    }
}

/// The `CREATE INDEX` statements of the indexes `SQLitePrimary.fillDemo` set aside.
public struct DemoIndexes: Sendable {
    let statements: [String]
}
