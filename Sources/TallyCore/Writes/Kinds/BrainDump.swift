import Foundation
import GRDB

/// Capturing a thought (`life_brain_dump`): one unprocessed `brain_dump` row, with its category
/// and its context (personal unless said otherwise, as WorkOS defaults it).
///
/// Its `created_at`, content, category and context, written by the write itself, are its
/// identity on the primary (not `processed`, which processing changes): a replay finds the row
/// and writes nothing. Undo removes it (`RemoveEntry`).
public struct BrainDump: Write {
    public static let kind = "braindump.add"

    public var key: String
    public var row: LoggedRow

    public struct Result: Sendable, Equatable {
        public var entry: PrimaryRow
        public var wrote: Bool
    }

    public var subject: WriteSubject { WriteSubject(.brainDump, row.shownID.map { [$0] } ?? []) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (BrainDump, Result) {
        let (applied, entry, wrote) = try await row.apply(to: tx, doing: "keep a brain dump")
        var write = self
        write.row = applied
        return (write, Result(entry: entry, wrote: wrote))
    }

    public func record(_ result: Result, in db: Database) throws {
        try row.record(result.entry, in: db)
    }

    public func show(in db: Database) throws -> (BrainDump, Result) {
        let (shown, entry) = try row.show(in: db)
        var write = self
        write.row = shown
        return (write, Result(entry: entry, wrote: true))
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        RemoveEntry(key: key, row: row, what: "brain dump")
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String {
        queued.map { "brain dump kept, queued: \($0)" } ?? "brain dump kept"
    }
}

extension BrainDump {
    public static let categories = ["thought", "task", "idea", "worry"]
    public static let contexts = ["work", "personal"]

    /// What a person asks: keep `content` (1–5000 characters), of a category and a context.
    public struct Intent: WriteIntent {
        public var content: String
        public var category: String?
        public var context: String?

        public init(content: String, category: String? = nil, context: String? = nil) {
            self.content = content
            self.category = category
            self.context = context
        }

        public var subject: WriteSubject { WriteSubject(.brainDump, []) }

        public func make(_ context: WriteContext) async throws -> BrainDump? {
            let content = try LifeText.required(content, name: "content", max: 5000)
            if let category, !BrainDump.categories.contains(category) {
                throw TallyError.badArgument("category must be one of \(BrainDump.categories.joined(separator: ", ")); got \(category).")
            }
            let area = self.context ?? "personal"
            guard BrainDump.contexts.contains(area) else {
                throw TallyError.badArgument("context must be one of \(BrainDump.contexts.joined(separator: ", ")); got \(area).")
            }
            try await context.requirePrimaryTable(.brainDump, doing: "keep a brain dump")
            let values: [String: DatabaseValue] = [
                "content": content.databaseValue, "category": category.databaseValue, "context": area.databaseValue,
                "processed": 0.databaseValue, "created_at": context.stamp.databaseValue,
            ]
            return BrainDump(key: WriteContext.newKey(),
                             row: LoggedRow(table: .brainDump, values: values, identity: ["created_at", "content", "category", "context"]))
        }
    }
}
