import Foundation

/// What a primary database holds, as `tally primary seed-demo` sees it before it replaces
/// anything: every table in it, the rows of the tables the demo fills, and the seal an earlier
/// seed left.
public struct PrimaryInventory: Sendable, Equatable {
    /// Every table (and view) in the database, schema-qualified outside the default schema.
    public var tables: [String]
    /// Row count and largest id of each demo table present.
    public var rows: [String: DemoSeal.Rows]
    /// What an earlier `seed-demo` (or `tally demo`) recorded; nil when it never ran here.
    public var seal: DemoSeal?

    public init(tables: [String], rows: [String: DemoSeal.Rows], seal: DemoSeal?) {
        self.tables = tables
        self.rows = rows
        self.seal = seal
    }

    /// Whether the demo may fill this database, and if not, why.
    public var verdict: DemoSeal.Verdict { DemoSeal.judge(self) }
}

/// The mark a demo seed leaves in the database it filled: the table `tally_demo_seed`, one row
/// per table it wrote with that table's row count and largest id right after the seed.
///
/// A WorkOS database never has this table, and the demo writes it only into a database that
/// held no rows (or an earlier demo's), so its presence says "Tally's demo made this". The
/// counts say whether anything was added since: ids are serial, so a row someone added has a
/// larger id than any the demo wrote (a completion only updates a demo row, and the seal's
/// check allows that).
public struct DemoSeal: Sendable, Equatable {
    public struct Rows: Sendable, Equatable {
        public var count: Int64
        public var maxID: Int64

        public init(count: Int64, maxID: Int64) {
            self.count = count
            self.maxID = maxID
        }
    }

    /// Per table, what the seed left.
    public var tables: [String: Rows]

    public init(tables: [String: Rows]) { self.tables = tables }

    /// The seal's own table.
    public static let table = "tally_demo_seed"
    /// The tables a demo seed fills (and empties first): WorkOS's five the dashboard shows, and
    /// the four of energy, brain dumps and client memory the MCP tools read.
    public static let demoTables = ["clients", "tasks", "daily_goals", "habits", "habit_completions",
                                    "energy_states", "brain_dump", "client_memory", "energy_feedback"]

    /// The SQL for a table's largest id. `client_memory`'s ids are text (`cm_acme`), so only its
    /// count can tell a row added since.
    static func largestID(_ table: String) -> String {
        table == "client_memory" ? "0" : "coalesce(max(id), 0)"
    }

    public static let createSQL = """
        CREATE TABLE IF NOT EXISTS tally_demo_seed (
          table_name text PRIMARY KEY,
          row_count bigint NOT NULL,
          max_id bigint NOT NULL,
          seeded_at text NOT NULL
        )
        """

    public enum Verdict: Sendable, Equatable {
        /// No table holds a row: nothing can be lost.
        case empty
        /// Only the rows an earlier demo seed wrote (some perhaps changed or deleted since).
        case earlierDemo
        /// Something a person may need: the reasons, in a few words each.
        case foreign([String])

        public var mayReplace: Bool {
            if case .foreign = self { return false }
            return true
        }
    }

    /// The rule: any table the demo does not make, or any row it did not write, is a person's
    /// data. A database without a seal is replaced only when every table is empty.
    public static func judge(_ inventory: PrimaryInventory) -> Verdict {
        let ours = Set(demoTables + [table])
        var reasons: [String] = []
        let others = inventory.tables.filter { !ours.contains($0) }.sorted()
        if !others.isEmpty {
            let named = others.prefix(5).joined(separator: ", ") + (others.count > 5 ? " and \(others.count - 5) more" : "")
            reasons.append("table\(others.count == 1 ? "" : "s") Tally's demo did not make (\(named))")
        }
        let filled = demoTables.filter { (inventory.rows[$0]?.count ?? 0) > 0 }
        guard let seal = inventory.seal else {
            if !filled.isEmpty {
                let counts = filled.map { "\($0): \(inventory.rows[$0]?.count ?? 0) rows" }.joined(separator: ", ")
                reasons.append("rows no demo seed wrote (\(counts))")
            }
            return reasons.isEmpty ? .empty : .foreign(reasons)
        }
        var added: [String] = []
        for name in demoTables {
            guard let now = inventory.rows[name], now.count > 0 else { continue }
            let sealed = seal.tables[name] ?? Rows(count: 0, maxID: 0)
            if now.maxID > sealed.maxID || now.count > sealed.count {
                added.append(name)
            }
        }
        if !added.isEmpty {
            reasons.append("rows added after the demo seed (in \(added.joined(separator: ", ")))")
        }
        if !reasons.isEmpty { return .foreign(reasons) }
        return .earlierDemo
    }

    /// The one line a refused seed says.
    public static func refusal(_ shown: String, reasons: [String]) -> TallyError {
        .badArgument("Refusing to replace the data in \(shown): it holds \(reasons.joined(separator: " and ")). "
            + "seed-demo empties the database it is given; pass --replace-everything if that is what you want.")
    }
}
