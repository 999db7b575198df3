import GRDB

/// A row of `cached_clients` (and the primary's `clients`): who the work is for.
public struct Client: Hashable, Sendable {
    public var id: Int64
    public var name: String
    /// `client`, `internal` or `project`; other values are kept as written.
    public var type: String?
    /// Hex colour such as `#3B82F6`, as the WorkOS server writes it.
    public var color: String?
    public var isActive: Bool?
    public var createdAt: String?

    public init(id: Int64, name: String, type: String? = nil, color: String? = nil,
                isActive: Bool? = true, createdAt: String? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.color = color
        self.isActive = isActive
        self.createdAt = createdAt
    }
}

extension Client: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cached_clients"


    public static let columnNames = ["id", "name", "type", "color", "is_active", "created_at"]

    public init(row: Row) {
        id = row.int64("id") ?? 0
        name = row.text("name") ?? ""
        type = row.text("type")
        color = row.text("color")
        isActive = row.bool("is_active")
        createdAt = row.text("created_at")
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["name"] = name
        container["type"] = type
        container["color"] = color
        container["is_active"] = isActive.map { $0 ? 1 : 0 }
        container["created_at"] = createdAt
    }

    public var databaseValues: [DatabaseValue] {
        [id.databaseValue, name.databaseValue, type.databaseValue, color.databaseValue,
         (isActive.map { $0 ? 1 : 0 }).databaseValue, createdAt.databaseValue]
    }
}
