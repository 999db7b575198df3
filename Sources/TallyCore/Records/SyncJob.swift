import GRDB

/// One sync run, persisted in `tally_sync_jobs` after every chunk so it can be resumed.
public struct SyncJob: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// `push`: started by the primary's NOTIFY (a change made elsewhere).
        case warmup, scheduled, manual, full, resume, push
    }

    public enum Status: String, Sendable, CaseIterable {
        case running, completed, failed, cancelled, interrupted

        /// A job that stopped before its end can be resumed from its last chunk.
        public var isResumable: Bool { self == .interrupted || self == .failed || self == .cancelled }
    }

    public var id: Int64?
    public var kind: Kind
    public var status: Status
    /// Comma-separated namespaces this job covers (`clients,tasks,goals,habits`).
    public var entities: String
    public var chunksTotal: Int
    public var chunksCompleted: Int
    public var rowsFetched: Int
    public var rowsWritten: Int
    public var progressPercent: Double
    /// JSON object: the watermark reached per namespace, `{"tasks":{"at":"…","id":42}}`.
    public var watermark: String?
    public var startedAt: String
    public var finishedAt: String?
    public var errorMessage: String?
    /// The process that runs it, so another process can tell a live job from a dead one.
    public var pid: Int?
    public var heartbeatAt: String?

    public init(id: Int64? = nil, kind: Kind, status: Status = .running, entities: [Namespace],
                startedAt: String) {
        self.id = id
        self.kind = kind
        self.status = status
        self.entities = entities.map(\.rawValue).joined(separator: ",")
        self.chunksTotal = 0
        self.chunksCompleted = 0
        self.rowsFetched = 0
        self.rowsWritten = 0
        self.progressPercent = 0
        self.startedAt = startedAt
    }

    public var namespaces: [Namespace] {
        entities.split(separator: ",").compactMap { Namespace(rawValue: String($0)) }
    }
}

extension SyncJob: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "tally_sync_jobs"

    public init(row: Row) {
        id = row.int64("job_id")
        // A value this version does not know (a newer Tally wrote it) reads as the nearest one.
        kind = row.text("kind").flatMap(Kind.init(rawValue:)) ?? .scheduled
        status = row.text("status").flatMap(Status.init(rawValue:)) ?? .failed
        entities = row.text("entities") ?? ""
        chunksTotal = row.int("chunks_total") ?? 0
        chunksCompleted = row.int("chunks_completed") ?? 0
        rowsFetched = row.int("rows_fetched") ?? 0
        rowsWritten = row.int("rows_written") ?? 0
        progressPercent = (row["progress_percent"] as Double?) ?? 0
        watermark = row.text("watermark")
        startedAt = row.text("started_at") ?? ""
        finishedAt = row.text("finished_at")
        errorMessage = row.text("error_message")
        pid = row.int("pid")
        heartbeatAt = row.text("heartbeat_at")
    }

    public func encode(to container: inout PersistenceContainer) {
        container["job_id"] = id
        for (name, value) in zip(Self.storedColumns, storedValues) { container[name] = value }
    }

    /// Every column but the id, in `storedValues`' order: `SyncJobStore` writes them with its own
    /// SQL (GRDB's record methods read the table's columns and keys from the schema first).
    static let storedColumns = ["kind", "status", "entities", "chunks_total", "chunks_completed", "rows_fetched",
                                "rows_written", "progress_percent", "watermark", "started_at", "finished_at",
                                "error_message", "pid", "heartbeat_at"]

    var storedValues: [DatabaseValue] {
        [kind.rawValue.databaseValue, status.rawValue.databaseValue, entities.databaseValue, chunksTotal.databaseValue,
         chunksCompleted.databaseValue, rowsFetched.databaseValue, rowsWritten.databaseValue, progressPercent.databaseValue,
         watermark.databaseValue, startedAt.databaseValue, finishedAt.databaseValue, errorMessage.databaseValue,
         pid.databaseValue, heartbeatAt.databaseValue]
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
