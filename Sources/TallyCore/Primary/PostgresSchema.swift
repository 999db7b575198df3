import Foundation

/// The primary's schema on PostgreSQL.
///
/// Tally reads and writes a WorkOS database as it finds it (serial ids, `timestamp` columns
/// holding UTC, jsonb subtasks, columns and tables the cache does not carry): `PostgresColumns`
/// learns each column's type and every query is written for it. `tally primary init` creates
/// the same tables for a new database; `--push` adds the one thing Tally needs that WorkOS
/// does not have, a trigger per table that NOTIFYs running dashboards.
enum PostgresSchema {
    /// The tables as the WorkOS migrations create them (WorkOS's other tables too: energy
    /// readings, brain dumps, client memory, energy feedback), for a database that has none.
    /// The foreign keys of `brain_dump` and `energy_feedback` let a task be deleted (WorkOS's
    /// own migrations disagree on them; its hand-written one does this).
    static let ddl = """
        CREATE TABLE IF NOT EXISTS clients (
          id serial PRIMARY KEY,
          name text NOT NULL UNIQUE,
          type text NOT NULL DEFAULT 'client',
          color text,
          is_active integer NOT NULL DEFAULT 1,
          created_at timestamp NOT NULL DEFAULT now()
        );
        CREATE TABLE IF NOT EXISTS tasks (
          id serial PRIMARY KEY,
          client_id integer REFERENCES clients(id),
          title text NOT NULL,
          description text,
          status text NOT NULL DEFAULT 'backlog',
          category text NOT NULL DEFAULT 'work',
          value_tier varchar(20) DEFAULT 'progress',
          effort_estimate integer DEFAULT 2,
          effort_actual integer,
          drain_type text,
          sort_order integer DEFAULT 0,
          subtasks jsonb DEFAULT '[]'::jsonb,
          created_at timestamp NOT NULL DEFAULT now(),
          updated_at timestamp NOT NULL DEFAULT now(),
          completed_at timestamp,
          backlog_entered_at timestamptz,
          points_ai_guess integer,
          points_final integer,
          points_adjusted_at timestamptz,
          cognitive_load text
        );
        CREATE TABLE IF NOT EXISTS daily_goals (
          id serial PRIMARY KEY,
          date date NOT NULL UNIQUE,
          target_points integer DEFAULT 18,
          earned_points integer DEFAULT 0,
          task_count integer DEFAULT 0,
          current_streak integer DEFAULT 0,
          longest_streak integer DEFAULT 0,
          last_goal_hit_date date,
          daily_debt integer DEFAULT 0,
          weekly_debt integer DEFAULT 0,
          pressure_level integer DEFAULT 0,
          updated_at timestamptz DEFAULT now(),
          adjusted_target_points integer,
          readiness_score integer,
          energy_level text,
          adjustment_reason text
        );
        CREATE TABLE IF NOT EXISTS habits (
          id serial PRIMARY KEY,
          name text NOT NULL,
          description text,
          emoji text,
          frequency text NOT NULL DEFAULT 'daily',
          target_count integer DEFAULT 1,
          current_streak integer DEFAULT 0,
          longest_streak integer DEFAULT 0,
          is_active integer NOT NULL DEFAULT 1,
          sort_order integer DEFAULT 0,
          created_at timestamp NOT NULL DEFAULT now(),
          updated_at timestamp NOT NULL DEFAULT now(),
          last_completed_date date,
          time_of_day text DEFAULT 'anytime',
          category text
        );
        CREATE TABLE IF NOT EXISTS habit_completions (
          id serial PRIMARY KEY,
          habit_id integer NOT NULL REFERENCES habits(id) ON DELETE CASCADE,
          completed_at timestamp NOT NULL DEFAULT now(),
          note text
        );
        CREATE TABLE IF NOT EXISTS energy_states (
          id serial PRIMARY KEY,
          level text NOT NULL,
          source text DEFAULT 'manual',
          oura_readiness integer,
          oura_hrv integer,
          oura_sleep integer,
          note text,
          recorded_at timestamp NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS energy_states_recorded_at_idx ON energy_states (recorded_at);
        CREATE TABLE IF NOT EXISTS brain_dump (
          id serial PRIMARY KEY,
          content text NOT NULL,
          category text,
          processed integer DEFAULT 0,
          processed_at timestamp,
          converted_to_task_id integer REFERENCES tasks(id) ON DELETE SET NULL,
          created_at timestamp NOT NULL DEFAULT now(),
          context text DEFAULT 'personal'
        );
        CREATE TABLE IF NOT EXISTS client_memory (
          id text PRIMARY KEY,
          client_name text NOT NULL UNIQUE,
          tier text DEFAULT 'active',
          last_task_id text,
          last_task_description text,
          last_task_at timestamp,
          total_tasks integer DEFAULT 0,
          stale_days integer DEFAULT 0,
          notes text,
          sentiment text DEFAULT 'neutral',
          importance text DEFAULT 'medium',
          avoidance_score integer DEFAULT 0,
          blocker_reason text,
          created_at timestamp NOT NULL DEFAULT now(),
          updated_at timestamp NOT NULL DEFAULT now(),
          risk_level text DEFAULT 'normal',
          work_debt text
        );
        CREATE TABLE IF NOT EXISTS energy_feedback (
          id serial PRIMARY KEY,
          task_id integer NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
          suggested_energy_level text NOT NULL,
          actual_energy_level text NOT NULL,
          user_feedback text,
          completed_successfully boolean NOT NULL,
          created_at timestamp NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS tasks_change_order ON tasks (updated_at, id);
        CREATE INDEX IF NOT EXISTS daily_goals_change_order ON daily_goals (updated_at, id);
        CREATE INDEX IF NOT EXISTS habits_change_order ON habits (updated_at, id);
        """

    /// The DDL's statements grouped by the table they create or index, in order.
    static var tables: [(String, [String])] {
        var groups: [(String, [String])] = []
        for statement in ddl.components(separatedBy: ";\n") {
            let sql = statement.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ";", with: "")
            guard !sql.isEmpty else { continue }
            let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "(" }).map(String.init)
            let table: String
            if sql.hasPrefix("CREATE TABLE"), let name = words.dropFirst(5).first {
                table = name
            } else if let on = words.firstIndex(of: "ON"), on + 1 < words.count {
                table = words[on + 1]
            } else {
                continue
            }
            if let index = groups.firstIndex(where: { $0.0 == table }) {
                groups[index].1.append(sql)
            } else {
                groups.append((table, [sql]))
            }
        }
        return groups
    }

    /// The push function: what `tally primary init --push` adds.
    static let pushFunction = """
        CREATE OR REPLACE FUNCTION tally_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('tally_changes', TG_TABLE_NAME);
          RETURN NULL;
        END $$
        """

    /// One statement-level NOTIFY trigger per table (dropped and re-created so init can run again).
    static var pushTriggers: [String] {
        Namespace.allCases.flatMap { namespace -> [String] in
            let table = namespace.primaryTable
            return ["DROP TRIGGER IF EXISTS \(table)_notify ON \(table)",
                    "CREATE TRIGGER \(table)_notify AFTER INSERT OR UPDATE OR DELETE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION tally_notify()"]
        }
    }
}

/// The column types of a PostgreSQL primary's four tables (and of WorkOS's other tables Tally
/// copies, `LifeTable`), read once per connection from the catalog, and the SQL that reads and writes each column in the cache's form.
///
/// Times: a `timestamp` (without time zone) column holds UTC wall-clock time, as the WorkOS
/// programs write it; it is formatted as it is and written from a UTC instant with
/// `AT TIME ZONE 'UTC'`, so the session's `TimeZone` never shifts it. A `timestamptz` column is
/// converted to UTC on read. Either way the cache gets `2026-01-21T19:24:00.000Z`.
struct PostgresColumns: Sendable {
    enum Kind: String, Sendable, Equatable {
        case timestamp, timestamptz, date, integer, decimal, json, boolean, text
    }

    /// table → column → kind.
    let tables: [String: [String: Kind]]

    /// The tables whose columns are read: the four namespaces', `habit_completions`, WorkOS's
    /// other tables (`LifeTable`), and every verified table's on the primary (`VerifiedTable.all`).
    static let tableNames: [String] = {
        var names = ["clients", "tasks", "daily_goals", "habits", "habit_completions", "energy_states",
                     "brain_dump", "client_memory", "energy_feedback"]
        for table in VerifiedTable.all where !names.contains(table.primaryTable) { names.append(table.primaryTable) }
        return names
    }()

    /// What `information_schema.columns` gives (table, column, data type) for the tables in the
    /// current schema, read from `pg_catalog`: the view cost a new connection 6–8 ms, a third of
    /// an incremental sync's round trips, and this 2–3 ms. As in the view: tables, views, foreign
    /// and partitioned tables; the columns this user may use; a domain as its base type (an enum
    /// or array is named differently, and is text either way, see `kind(of:)`).
    static let query = """
        SELECT c.relname::text, a.attname::text,
               pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL)
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema())
          AND c.relname IN (\(tableNames.map { "'\($0)'" }.joined(separator: ", ")))
          AND c.relkind IN ('r', 'v', 'f', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          AND (pg_catalog.pg_has_role(c.relowner, 'USAGE')
               OR pg_catalog.has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))
        """

    init(tables: [String: [String: Kind]]) {
        self.tables = tables
    }

    /// From `(table, column, data_type)` rows of `query`.
    init(rows: [(String, String, String)]) {
        var tables: [String: [String: Kind]] = [:]
        for (table, column, type) in rows { tables[table, default: [:]][column] = Self.kind(of: type) }
        self.tables = tables
    }

    /// The columns as lines of text (`table<TAB>column<TAB>kind`), for `KeptSchema`.
    var lines: [String] {
        tables.sorted { $0.key < $1.key }.flatMap { table, columns in
            columns.sorted { $0.key < $1.key }.map { "\(table)\t\($0.key)\t\($0.value.rawValue)" }
        }
    }

    /// From `lines`; nil when one is not a table, a column and a kind.
    init?(lines: some Sequence<Substring>) {
        var tables: [String: [String: Kind]] = [:]
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty, let kind = Kind(rawValue: String(fields[2])) else { return nil }
            tables[String(fields[0]), default: [:]][String(fields[1])] = kind
        }
        self.tables = tables
    }

    static func kind(of dataType: String) -> Kind {
        switch dataType.lowercased() {
        case "timestamp without time zone": return .timestamp
        case "timestamp with time zone": return .timestamptz
        case "date": return .date
        case "integer", "bigint", "smallint": return .integer
        case "numeric", "real", "double precision": return .decimal
        case "json", "jsonb": return .json
        case "boolean": return .boolean
        default: return .text
        }
    }

    /// The tables of the four namespaces that are missing.
    var missingTables: [String] {
        Namespace.allCases.map(\.primaryTable).filter { tables[$0] == nil }
    }

    func kind(_ table: String, _ column: String) -> Kind? { tables[table]?[column] }

    func has(_ table: String, _ column: String) -> Bool { kind(table, column) != nil }

    static let isoFormat = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"

    /// The SELECT expression that gives the cache's representation of `column` (NULL when the
    /// table lacks it).
    func select(_ table: String, _ column: String) -> String {
        guard let kind = kind(table, column) else { return "NULL" }
        switch kind {
        case .timestamp: return "to_char(\(column), \(Self.isoFormat))"
        case .timestamptz: return "to_char(\(column) AT TIME ZONE 'UTC', \(Self.isoFormat))"
        case .date: return "to_char(\(column), 'YYYY-MM-DD')"
        case .integer: return "\(column)::bigint"
        case .decimal: return "round(\(column))::bigint"
        case .boolean: return "\(column)::int::bigint"
        case .json, .text: return "\(column)::text"
        }
    }

    /// Every contract column of `namespace`, in order.
    func select(_ namespace: Namespace) -> String {
        namespace.columns.map { select(namespace.primaryTable, $0) }.joined(separator: ", ")
    }

    /// The SELECT expression for `column` in a query whose rows Tally reads itself
    /// (`PostgresPrimary.cacheValue`): as `select`, but a timestamp or a date comes as
    /// PostgreSQL's binary value and Tally writes it out (`PostgresTime`), which costs the
    /// server nothing. `select` stays for text the server builds on (JSON rows, row digests).
    func output(_ table: String, _ column: String) -> String {
        switch kind(table, column) {
        case .timestamp?, .timestamptz?, .date?: return column
        default: return select(table, column)
        }
    }

    /// Every contract column of `namespace`, in order, as `output` reads them.
    func output(_ namespace: Namespace) -> String {
        namespace.columns.map { output(namespace.primaryTable, $0) }.joined(separator: ", ")
    }

    /// The expression for bound parameter `placeholder` (`$3`) as a value of `column`: a text
    /// timestamp in UTC becomes the column's type without passing through the session's zone.
    func value(_ placeholder: String, _ table: String, _ column: String) -> String {
        switch kind(table, column) ?? .text {
        case .timestamp: return "(\(placeholder)::timestamptz AT TIME ZONE 'UTC')"
        case .timestamptz: return "\(placeholder)::timestamptz"
        case .date: return "\(placeholder)::date"
        case .integer, .decimal: return "\(placeholder)::bigint"
        case .boolean: return "(\(placeholder)::bigint <> 0)"
        case .json: return "\(placeholder)::jsonb"
        case .text: return "\(placeholder)::text"
        }
    }
}
