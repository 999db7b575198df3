import Foundation

/// The primary's column types as a sync last read them, kept in the cache (`cache_meta`, key
/// `tally.primary.columns`) so that the next process on the cache does not read them again.
///
/// Reading them is a catalog query that a new server process plans with cold caches: 3–4 ms of
/// a 30 ms incremental `tally sync` on loopback, and a round trip more to a hosted database. A
/// copy is used only for the same server, database and user (`endpoint`), for an hour after it
/// was read, and, once the primary's identity is known, only for the same database
/// (`PostgresPrimary.prepare`). A query that fails because a table or column is not there
/// forgets the columns, so a retry reads them again (docs/ARCHITECTURE.md, "The primary").
struct KeptSchema: Equatable, Sendable {
    static let metaKey = "tally.primary.columns"
    static let heading = "tally kept columns 1"
    /// How long a copy is used: a column WorkOS adds is seen by the first process after it.
    static let lifetime: TimeInterval = 3600

    /// `host:port/database user`: where the columns were read.
    var endpoint: String
    /// The primary's identity (`PrimaryIdentity.fingerprint`) when it was known.
    var identity: String?
    var readAt: Date
    var columns: [String: [String: PostgresColumns.Kind]]

    init(endpoint: String, identity: String?, readAt: Date, columns: PostgresColumns) {
        self.endpoint = endpoint
        self.identity = identity
        self.readAt = Date(timeIntervalSince1970: readAt.timeIntervalSince1970.rounded(.down))  // as `text` keeps it
        self.columns = columns.tables
    }

    var text: String {
        var lines = [Self.heading, "endpoint \(endpoint)", "identity \(identity ?? "-")",
                     "read \(Int64(readAt.timeIntervalSince1970.rounded(.down)))"]
        lines += PostgresColumns(tables: columns).lines
        return lines.joined(separator: "\n")
    }

    /// nil for anything but a whole copy in this format.
    init?(text: String) {
        var lines = text.split(separator: "\n")[...]
        guard lines.popFirst() == Substring(Self.heading),
              let endpoint = lines.popFirst(), endpoint.hasPrefix("endpoint "),
              let identity = lines.popFirst(), identity.hasPrefix("identity "),
              let read = lines.popFirst(), read.hasPrefix("read "), let seconds = Int64(read.dropFirst("read ".count)),
              let columns = PostgresColumns(lines: lines), !columns.tables.isEmpty else { return nil }
        self.endpoint = String(endpoint.dropFirst("endpoint ".count))
        let known = identity.dropFirst("identity ".count)
        self.identity = known == "-" ? nil : String(known)
        readAt = Date(timeIntervalSince1970: Double(seconds))
        self.columns = columns.tables
    }

    /// Whether this copy may stand for reading the columns of `endpoint` at `now`.
    func serves(_ endpoint: String, at now: Date) -> Bool {
        let age = now.timeIntervalSince(readAt)
        return endpoint == self.endpoint && age >= -60 && age < Self.lifetime
            && PostgresColumns(tables: columns).missingTables.isEmpty
    }
}
