import Foundation
import GRDB

/// A change to a person's data, as a value (docs/ARCHITECTURE.md, "The write pipeline").
///
/// A write knows how to apply itself to the primary, once (a replay finds it already there and
/// writes nothing), how to show itself in the cache while the primary is away, how to write
/// the primary's rows to the cache after, and which write takes it back. It is `Codable`: the
/// outbox keeps it as JSON under its `kind` until the primary takes it. `WritePipeline` does the
/// rest, the same way for every kind: the courtesy wait, ordering behind earlier queued writes,
/// failure classification, pending marks, undo and recording.
///
/// A new kind of write is one type conforming to this in `Writes/Kinds/`, plus its name in
/// `WriteKinds.all` (the replayer decodes outbox entries by it).
public protocol Write: Codable, Sendable {
    /// What the primary holds after the write (or the cache shows while it is queued).
    associatedtype Result: Sendable

    /// The outbox's name for this kind of write (`task.complete`); never changed once shipped.
    static var kind: String { get }

    /// The write's identity: its outbox entry and its undo are found by it.
    var key: String { get }

    /// What it changes: marked pending meanwhile, followed from the primary after a conflict.
    var subject: WriteSubject { get }

    /// Applies the write in the primary's transaction `tx`. A replay (the primary already holds
    /// it) writes nothing and returns the rows as they are. Returns the write as applied (with
    /// what its undo needs: the state before, an id the primary gave) and the result.
    ///
    /// Throws `TallyError.conflict` when the primary holds something else (changed or deleted
    /// meanwhile); nothing is written then.
    func apply(to tx: any PrimaryTransaction) async throws -> (Self, Result)

    /// Writes what the primary now holds to the cache, inside the pipeline's transaction.
    func record(_ result: Result, in db: Database) throws

    /// Shows the write in the cache while the primary has not taken it (it is queued), inside the
    /// pipeline's transaction; returns the write as shown (an add's local id) and what to show.
    func show(in db: Database) throws -> (Self, Result)

    /// The write that takes this one back, made at `at` (nil: it cannot be undone).
    func inverse(key: String, at: String) -> (any Write)?

    /// The same write with task ids replaced (`[local id: real id]`), after an add made while the
    /// primary was away got its id on the primary.
    func renumbered(_ ids: [Int64: Int64]) -> Self

    /// The ids of tasks this write created on the primary, keyed by the local id they were
    /// shown under (an add queued while away); empty for every other write.
    func createdIDs(_ result: Result) -> [Int64: Int64]

    /// Whether `result` changed anything (false: a habit already done today, an edit to the
    /// same values). An unchanged write is not recorded and cannot be undone.
    func changed(_ result: Result) -> Bool

    /// One line for a person: what happened (`queued` is why it waits, when it does).
    func describe(_ result: Result, queued: String?) -> String

    /// The same line when this write is the undo of another (`↶ undone: “Title”`).
    func describeUndo(_ result: Result, queued: String?) -> String
}

extension Write {
    public func renumbered(_ ids: [Int64: Int64]) -> Self { self }
    public func createdIDs(_ result: Result) -> [Int64: Int64] { [:] }
    public func changed(_ result: Result) -> Bool { true }
    public func describeUndo(_ result: Result, queued: String?) -> String { queued == nil ? "↶ undone" : "↶ undo queued" }

    var json: String {
        (try? JSONEncoder().encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    static func decode(_ text: String) throws -> Self {
        try JSONDecoder().decode(Self.self, from: Data(text.utf8))
    }
}

/// What a write is about: an entity and its ids (and for a completion, the day whose goal row
/// it moves).
public struct WriteSubject: Hashable, Sendable, Codable {
    public var entity: WriteEntity
    public var ids: [Int64]
    /// The local day (`YYYY-MM-DD`) whose goal row the write changes, if any.
    public var day: String?

    public init(_ entity: WriteEntity, _ ids: [Int64], day: String? = nil) {
        self.entity = entity
        self.ids = ids
        self.day = day
    }

    public static func task(_ id: Int64, day: String? = nil) -> WriteSubject { WriteSubject(.task, [id], day: day) }
    public static func habit(_ id: Int64) -> WriteSubject { WriteSubject(.habit, [id]) }

    /// The id the outbox files it under.
    public var id: Int64 { ids.first ?? 0 }
}

/// The kind of row a write changes (the outbox's `entity` column). Open to new kinds: another
/// file can add `extension WriteEntity { static let energy = WriteEntity("energy") }`.
public struct WriteEntity: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let task = WriteEntity("task")
    public static let habit = WriteEntity("habit")

    public var description: String { rawValue }
}

/// What a person asks for (a key, a command, a tool call), before it is decided into a `Write`
/// against the cache as it is now: the one thing the dashboard's write effect carries.
public protocol WriteIntent: Sendable, Hashable {
    associatedtype Made: Write

    /// What it is about: marked pending from the key press on.
    var subject: WriteSubject { get }

    /// Decides the write (validation, the rules, the state before); nil when there is nothing to
    /// write (an edit that changes nothing).
    func make(_ context: WriteContext) async throws -> Made?
}

/// A `WriteIntent` of any kind, comparable (the dashboard's effects are compared in tests).
public struct AnyWriteIntent: Hashable, Sendable, CustomStringConvertible {
    public let intent: any WriteIntent
    private let isEqual: @Sendable (any WriteIntent) -> Bool
    private let hashInto: @Sendable (inout Hasher) -> Void

    public init<I: WriteIntent>(_ intent: I) {
        self.intent = intent
        isEqual = { other in (other as? I) == intent }
        hashInto = { hasher in
            hasher.combine(ObjectIdentifier(I.self))
            hasher.combine(intent)
        }
    }

    public var subject: WriteSubject { intent.subject }

    public static func == (lhs: AnyWriteIntent, rhs: AnyWriteIntent) -> Bool { lhs.isEqual(rhs.intent) }
    public func hash(into hasher: inout Hasher) { hashInto(&hasher) }
    public var description: String { String(describing: intent) }
}

/// A write a person asked for that is not made, for a reason that is news rather than a failure
/// ("already done today"): reported as information, not as an error.
public protocol WriteDeclined: Error, LocalizedError, Sendable {}
