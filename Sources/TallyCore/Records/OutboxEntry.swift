import GRDB

/// One write in `tally_outbox`: waiting for the primary (`appliedAt` nil), replayed in order by
/// the next sync; or taken by the primary, kept a week for undo and for the record.
///
/// `kind` names the `Write` type its `payload` (JSON) decodes as, `entity`/`entityID` what it
/// changes, `key` its identity. The columns `op` and `task_id` are the table's first ones, from
/// before writes had kinds: `op` repeats `kind`, `task_id` holds the task's id for task writes
/// and 0 for others.
public struct OutboxEntry: Hashable, Sendable {
    public var id: Int64?
    public var kind: String
    public var entity: String
    public var entityID: Int64
    public var key: String
    public var payload: String
    public var createdAt: String
    public var attempts: Int
    public var lastError: String?
    public var appliedAt: String?

    public init(id: Int64? = nil, kind: String, entity: String, entityID: Int64, key: String, payload: String,
                createdAt: String) {
        self.id = id
        self.kind = kind
        self.entity = entity
        self.entityID = entityID
        self.key = key
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = 0
    }

    /// The entry for `write`, made at `createdAt`.
    public init<W: Write>(_ write: W, createdAt: String) {
        self.init(kind: W.kind, entity: write.subject.entity.rawValue, entityID: write.subject.id, key: write.key,
                  payload: write.json, createdAt: createdAt)
    }
}

extension OutboxEntry: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "tally_outbox"

    public init(row: Row) {
        id = row.int64("id")
        let op = row.text("op") ?? ""
        kind = row.text("kind") ?? op
        entity = row.text("entity") ?? "task"
        entityID = row.int64("entity_id") ?? row.int64("task_id") ?? 0
        key = row.text("write_key") ?? ""
        payload = row.text("payload") ?? "{}"
        createdAt = row.text("created_at") ?? ""
        attempts = row.int("attempts") ?? 0
        lastError = row.text("last_error")
        appliedAt = row.text("applied_at")
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["op"] = kind
        container["task_id"] = entity == WriteEntity.task.rawValue ? entityID : 0
        container["kind"] = kind
        container["entity"] = entity
        container["entity_id"] = entityID
        container["write_key"] = key
        container["payload"] = payload
        container["created_at"] = createdAt
        container["attempts"] = attempts
        container["last_error"] = lastError
        container["applied_at"] = appliedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
