import Foundation
import GRDB
import Logging
import PostgresNIO

/// WorkOS's other tables read from PostgreSQL as the database has them (`LifeTable`), in at most
/// two round trips for all of them: first an md5 of each table's rows in its window, computed by
/// the server, for the tables the cache already holds; then, only for the tables whose md5
/// differs from the one the cache keeps (or that it has never read), their rows as JSON. A sync
/// that finds nothing new sends one query and reads a few hundred bytes, whatever the tables hold.
///
/// The column types come from the catalog (`PostgresColumns`) like every other query's; a table
/// (or a required column) the database lacks is answered `.missing`, and nothing is created.
extension PostgresPrimary: LifeSource {
    public func readLife(_ queries: [LifeQuery]) async throws -> [String: LifeRead] {
        let columns = try await columns()
        // On whichever connection is free first when an incremental sync opened the digests'
        // one too: the job asks for these tables as it begins, while the reads' connection has
        // the first chunks to read and the digests' the id counts, and whichever is done first
        // reads them (behind the tasks' count they waited a count's time after the chunks).
        let lanes: [Lane] = connections[.digests] != nil ? [.reads, .digests] : [.reads]
        var answers: [String: LifeRead] = [:]
        var asked: [LifeQuery] = []
        for query in queries {
            let table = query.table
            if table.required.allSatisfy({ columns.has(table.source, $0) }) {
                asked.append(query)
            } else {
                answers[table.name] = .missing
            }
        }
        let log = logger
        // Round one: the md5 of each table the cache has read before.
        let known = asked.filter { $0.knownDigest != nil && !Self.isKeyed($0.condition) }
        var changed = asked.filter { $0.knownDigest == nil || Self.isKeyed($0.condition) }
        if !known.isEmpty {
            var statement = PostgresStatement()
            let parts = known.map { query in
                "\(Self.literal(query.table.name)), (SELECT \(Self.digest(query.table, columns)) FROM \(query.table.source) WHERE \(Self.condition(query, columns, &statement)))"
            }
            let query = try statement.query("SELECT json_build_object(\(parts.joined(separator: ", ")))::text")
            let text = try await run(firstOf: lanes) { connection in
                try await Self.rows(connection.query(query, logger: log)).first.flatMap { String.fromDatabaseValue($0[0]) }
            }
            let digests = (text.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]) ?? [:]
            for query in known {
                if let digest = digests[query.table.name] as? String, digest == query.knownDigest {
                    answers[query.table.name] = .unchanged
                } else {
                    changed.append(query)
                }
            }
        }
        // Round two: the rows (and their md5) of the rest.
        var fetched = changed.filter { $0.condition != .nothing && $0.condition != .ids([]) }
        for query in changed where !fetched.contains(query) {
            answers[query.table.name] = .rows([], digest: nil)
        }
        // Rows asked by id (the loads of the tasks a sync changed, or of every task after a full
        // one) come as plain rows, without an md5: nothing compares one (the list of ids is what
        // changed), and a warm-up's 85,714 loads spent most of their 0.75 s being aggregated
        // into JSON and its md5 on the server and parsed back here.
        for query in fetched where Self.isKeyed(query.condition) {
            var statement = PostgresStatement()
            let table = query.table
            let select = table.columns.map { columns.output(table.source, $0) }.joined(separator: ", ")
            let condition = Self.condition(query, columns, &statement)
            let sql = try statement.query("""
                SELECT \(select) FROM \(table.source) WHERE \(condition) ORDER BY \(table.source).\(table.key)
                """)
            let rows = try await run(firstOf: lanes) { connection in try await Self.rows(connection.query(sql, logger: log)) }
            answers[table.name] = .rows(rows, digest: nil)
        }
        fetched.removeAll { Self.isKeyed($0.condition) }
        guard !fetched.isEmpty else { return answers }
        var statement = PostgresStatement()
        let parts = fetched.map { query in
            let table = query.table
            return """
                \(Self.literal(table.name)), (SELECT json_build_object('rows', coalesce(json_agg(\(Self.row(table, columns)) ORDER BY \(table.key)), '[]'::json), \
                'digest', \(Self.digest(table, columns))) FROM \(table.source) WHERE \(Self.condition(query, columns, &statement)))
                """
        }
        let query = try statement.query("SELECT json_build_object(\(parts.joined(separator: ", ")))::text")
        let text = try await run(firstOf: lanes) { connection in
            try await Self.rows(connection.query(query, logger: log)).first.flatMap { String.fromDatabaseValue($0[0]) }
        }
        let objects = (text.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]) ?? [:]
        for query in fetched {
            let object = objects[query.table.name] as? [String: Any]
            answers[query.table.name] = .rows(LifeDigest.rows(fromJSON: object?["rows"]), digest: object?["digest"] as? String)
        }
        return answers
    }

    /// Tables read by a list of ids are fetched every time (the list is what changed).
    nonisolated static func isKeyed(_ condition: LifeQuery.Condition) -> Bool {
        if case .ids = condition { return true }
        return false
    }

    /// A JSON array of the table's columns in the cache's form (NULL where the database lacks one).
    nonisolated static func row(_ table: LifeTable, _ columns: PostgresColumns) -> String {
        "json_build_array(" + table.columns.map { columns.select(table.source, $0) }.joined(separator: ", ") + ")"
    }

    nonisolated static func digest(_ table: LifeTable, _ columns: PostgresColumns) -> String {
        "md5(coalesce(string_agg(\(row(table, columns))::text, '|' ORDER BY \(table.key)), ''))"
    }

    nonisolated static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    nonisolated static func condition(_ query: LifeQuery, _ columns: PostgresColumns, _ statement: inout PostgresStatement) -> String {
        let source = query.table.source
        switch query.condition {
        case .all:
            return "TRUE"
        case .since(let column, let value):
            return "\(column) >= \(columns.value(statement.bind(value), source, column))"
        case .unprocessedOrSince(let column, let value):
            let since = "\(column) >= \(columns.value(statement.bind(value), source, column))"
            return columns.has(source, "processed") ? "(coalesce(processed, 0) = 0 OR \(since))" : since
        case .personal(let doneSince):
            var condition = "coalesce(category, 'work') = 'personal'"
            if let doneSince, columns.has(source, "completed_at") {
                let cutoff = columns.value(statement.bind(doneSince), source, "completed_at")
                condition += " AND (status IS DISTINCT FROM 'done' OR completed_at IS NULL OR completed_at >= \(cutoff))"
            }
            return condition
        case .ids(let ids):
            return "id = ANY(string_to_array(\(statement.bind(ids.map(String.init).joined(separator: ",")))::text, ',')::bigint[])"
        case .nothing:
            return "FALSE"
        }
    }
}

extension PostgresPrimary {
    /// The demo's rows of WorkOS's other tables (`tally primary seed-demo`), in the seeding
    /// transaction, for the tables and columns the database has.
    /// The tasks' loads went in with the tasks (`seedDemo`).
    static func seedLife(_ life: DemoLife, columns: PostgresColumns, _ connection: PostgresConnection, logger: Logger) async throws {
        if columns.has("habits", "time_of_day"), columns.has("habits", "category") {
            for (id, details) in life.habitDetails {
                try await connection.query(try Self.query("UPDATE habits SET time_of_day = $1, category = $2 WHERE id = $3::bigint",
                                                          [details.0.databaseValue, details.1.databaseValue, id.databaseValue]),
                                           logger: logger)
            }
        }
        let tables: [(String, [String], [[DatabaseValue]])] = [
            ("energy_states", ["level", "source", "oura_readiness", "oura_hrv", "oura_sleep", "note", "recorded_at"],
             life.energyReadings.map { reading in
                 [reading.level.databaseValue, reading.source.databaseValue, reading.ouraReadiness.databaseValue,
                  reading.ouraHRV.databaseValue, reading.ouraSleep.databaseValue, reading.note.databaseValue,
                  reading.recordedAt.databaseValue]
             }),
            ("brain_dump", ["content", "category", "context", "processed", "processed_at", "converted_to_task_id", "created_at"],
             life.brainDumps),
            ("client_memory", LifeTable.clientMemory.columns, life.clientMemory),
            ("energy_feedback", ["task_id", "suggested_energy_level", "actual_energy_level", "user_feedback",
                                 "completed_successfully", "created_at"], life.energyFeedback),
        ]
        for (table, names, rows) in tables where names.allSatisfy({ columns.has(table, $0) }) {
            try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(table) RESTART IDENTITY"), logger: logger)
            for row in rows {
                var statement = PostgresStatement()
                let values = zip(names, row).map { column, value in columns.value(statement.bind(value), table, column) }
                try await connection.query(statement.query("INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"),
                                           logger: logger)
            }
        }
    }
}
