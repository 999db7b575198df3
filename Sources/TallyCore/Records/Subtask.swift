import Foundation

/// One item of a task's checklist. WorkOS keeps a task's subtasks as the JSON text of an array
/// of `{title, done}` objects (`[]` when there are none).
public struct Subtask: Equatable, Sendable {
    public var title: String
    public var done: Bool

    public init(title: String, done: Bool) {
        self.title = title
        self.done = done
    }

    /// The checklist in `text`: nil when the text is not a JSON array (it is then shown as it
    /// is), empty for `[]` or no text. An item that is a bare string is a title not done; an
    /// object without a title is skipped; `done` may be a boolean, 0/1 or "true"/"false".
    public static func list(from text: String?) -> [Subtask]? {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        guard let data = text.data(using: .utf8),
              let array = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) as? [Any]
        else { return nil }
        return array.compactMap { item in
            if let title = item as? String { return Subtask(title: title, done: false) }
            guard let fields = item as? [String: Any] else { return nil }
            guard let title = (fields["title"] as? String) ?? (fields["text"] as? String) ?? (fields["name"] as? String)
            else { return nil }
            return Subtask(title: title, done: isDone(fields["done"] ?? fields["completed"]))
        }
    }

    private static func isDone(_ value: Any?) -> Bool {
        switch value {
        case let flag as Bool: return flag
        case let number as NSNumber: return number.intValue != 0
        case let text as String: return ["true", "1", "yes", "done"].contains(text.lowercased())
        default: return false
        }
    }
}
