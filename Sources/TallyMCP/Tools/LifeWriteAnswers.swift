import Foundation
import GRDB
import MCP
import TallyCore

/// What the writes of WorkOS's other tables (energy, habits, brain dumps, the day's goal) answer
/// beside WorkOS's fields: `pending` (Tally's), true while the write waits for the primary, and
/// then `message`, why it waits. A write WorkOS answers with a `message` of its own keeps it,
/// with the reason it waits after it.
enum LifeWriteAnswers {
    /// Carries `intent` out through the server's pipeline.
    static func perform<I: WriteIntent>(_ intent: I, _ context: ToolContext) async throws -> WriteReceipt<I.Made> {
        let writes = try context.pipeline()
        guard let receipt = try await writes.perform(intent) else { throw ToolFailure("Nothing was written.") }
        return receipt
    }

    /// Why a write waits, as one sentence ending in what becomes of it; nil when it did not.
    static func waiting(_ state: WriteState, what: String) -> String? {
        guard case .queued(let reason) = state else { return nil }
        let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
        return "\(cause); \(what) is kept and applied to the primary on the next sync."
    }

    /// `pending`, and `message` while queued.
    static func pending(_ state: WriteState, what: String) -> [(String, JSON)] {
        guard let waiting = waiting(state, what: what) else { return [("pending", .bool(false))] }
        return [("pending", .bool(true)), ("message", .string(waiting))]
    }

    /// WorkOS's `message`, with why the write waits after it while it does; and `pending`.
    static func message(_ text: String, _ state: WriteState, what: String) -> [(String, JSON)] {
        let waiting = waiting(state, what: what)
        return [("message", .string(waiting.map { "\(text) (pending: \($0))" } ?? text)), ("pending", .bool(waiting != nil))]
    }

    /// A row of a life table with WorkOS's camelCase names, in the table's column order.
    static func row(_ table: LifeTable, _ row: PrimaryRow, bool: Set<String> = []) -> JSON {
        RecordJSON.record(LifeRecord(columns: table.columns, values: table.columns.map { row[$0] }), bool: bool)
    }

    /// The schema of `{success, <key>: record, pending, message?}`.
    static func schema(_ members: [(String, Value)], optional: Set<String> = []) -> Value {
        Out.object([("success", Out.boolean)] + members + [("pending", Out.boolean), ("message", Out.string)],
                   optional: optional.union(["message"]))
    }

    static let levels = ["high", "medium", "low"]

    static func level(_ arguments: ToolArguments, _ name: String, required: Bool) throws -> EnergyLevel? {
        guard let text = try arguments.optionalString(name, allowed: levels) else {
            if required { throw ToolFailure("\(name) is required: one of high, medium, low.") }
            return nil
        }
        return EnergyLevel(rawValue: text)
    }
}
