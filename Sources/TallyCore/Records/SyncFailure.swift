import Foundation
import GRDB

/// One failed attempt of a sync or a write to the primary, kept in `tally_sync_failures`.
public struct SyncFailure: Hashable, Sendable {
    /// How a failure is classified; decides whether it is retried.
    public enum ErrorType: String, Sendable, CaseIterable {
        case network, timeout, auth, rateLimit = "rate_limit", schema, conflict, `internal`

        /// Transient failures are retried with backoff; the rest need a person.
        public var isTransient: Bool {
            switch self {
            case .network, .timeout, .rateLimit: return true
            case .auth, .schema, .conflict, .internal: return false
            }
        }
    }

    public var id: Int64?
    public var jobID: Int64?
    public var at: String
    public var entity: String
    public var errorType: String
    /// What a person reads: says what failed and what to do, never a credential.
    public var message: String
    /// JSON with the technical detail (error text with credentials masked, chunk, watermark).
    public var detail: String?
    public var attempt: Int
    public var resolvedAt: String?

    public init(id: Int64? = nil, jobID: Int64?, at: String, entity: String, errorType: ErrorType,
                message: String, detail: String? = nil, attempt: Int, resolvedAt: String? = nil) {
        self.id = id
        self.jobID = jobID
        self.at = at
        self.entity = entity
        self.errorType = errorType.rawValue
        self.message = message
        self.detail = detail
        self.attempt = attempt
        self.resolvedAt = resolvedAt
    }

    public var type: ErrorType? { ErrorType(rawValue: errorType) }
}

extension SyncFailure: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "tally_sync_failures"

    public init(row: Row) {
        id = row.int64("id")
        jobID = row.int64("job_id")
        at = row.text("at") ?? ""
        entity = row.text("entity") ?? ""
        errorType = row.text("error_type") ?? "internal"
        message = row.text("message") ?? ""
        detail = row.text("detail")
        attempt = row.int("attempt") ?? 1
        resolvedAt = row.text("resolved_at")
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["job_id"] = jobID
        container["at"] = at
        container["entity"] = entity
        container["error_type"] = errorType
        container["message"] = message
        container["detail"] = detail
        container["attempt"] = attempt
        container["resolved_at"] = resolvedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension SyncFailure {
    /// The detail's fields when it is JSON of strings and numbers (what the sync engine
    /// writes); nil for other detail (a `sync_command`'s output).
    public var detailFields: [String: String]? {
        guard let data = detail?.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object.compactMapValues { value in
            if let text = value as? String { return text }
            if let number = value as? NSNumber { return number.stringValue }
            return nil
        }
    }

    /// The error behind the message in a few words, when the row has one.
    public var cause: String? {
        let fields = detailFields
        return [fields?["cause"], fields?["error"]].compactMap { $0 }.first { !$0.isEmpty }
    }

    /// How many tries the failure was given, when the row says.
    public var attemptsAllowed: Int? { detailFields?["attempts"].flatMap { Int($0) } }

    /// `attempt 1 of 1: tasks tried once, since clients could not reach the primary in 3 tries`,
    /// `attempt 3 of 3`, or the bare attempt number for rows that do not say more.
    public var attemptText: String {
        let fields = detailFields
        if let other = fields?["tried_once_after"], !other.isEmpty {
            let tries = fields?["max_attempts"].map { " in \($0) tries" } ?? ""
            return "\(attempt) of 1: tried once, since \(other) could not reach the primary\(tries)"
        }
        if let allowed = attemptsAllowed, allowed >= attempt { return "\(attempt) of \(allowed)" }
        return "\(attempt)"
    }
}
