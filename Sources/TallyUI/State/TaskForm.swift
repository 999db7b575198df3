import TallyCore

/// The `a` / `e` form: a task's title, client, tier, status, points and description, edited in
/// place. Text fields take typed (and pasted) characters; choice fields cycle with ←/→ or jump
/// to the choice a typed letter starts.
///
/// `e` with marked tasks opens it for all of them: only client, tier and status, each starting
/// as "unchanged", and what is chosen is written to every marked task.
public struct TaskForm: Equatable, Sendable {
    public enum Field: String, CaseIterable, Sendable {
        case title, client, tier, status, points, description

        public var label: String {
            switch self {
            case .title: return "Title"
            case .client: return "Client"
            case .tier: return "Tier"
            case .status: return "Status"
            case .points: return "Points"
            case .description: return "Description"
            }
        }

        var isChoice: Bool { self == .client || self == .tier || self == .status }
    }

    /// A client to choose (nil id: none).
    public struct ClientChoice: Equatable, Sendable {
        public var id: Int64?
        public var name: String
    }

    public static let tiers = ValueTier.workos.map(\.rawValue)
    public static let statuses = TaskPlan.newStatuses

    /// The task being edited; nil for a new one.
    public var taskID: Int64?
    /// The marked tasks edited together; nil for one task.
    public var batch: [Int64]?
    /// The choice fields left as each task has them (a batch's start).
    public var unchanged: Set<Field> = []
    public var focus: Field = .title
    public var title: String
    public var clients: [ClientChoice]
    public var client: Int
    public var tier: Int
    public var status: Int
    /// Digits; empty means the tier's points.
    public var points: String
    public var description: String
    /// Why the last save or key was refused, shown in the form.
    public var error: String?
    /// A done task keeps its status: completing (and undoing it) is what changes that.
    public var statusLocked = false
    var lockedStatus = ""

    /// A new task, with the dashboard's client filter and status tab as defaults.
    public init(clients: [ClientChoice], clientID: Int64?, status: StatusFilter) {
        taskID = nil
        title = ""
        self.clients = [ClientChoice(id: nil, name: "none")] + clients
        client = self.clients.firstIndex { $0.id == clientID && clientID != nil } ?? 0
        tier = Self.tiers.firstIndex(of: "progress") ?? 0
        let wanted: String
        switch status {
        case .active: wanted = "active"
        case .queued: wanted = "queued"
        default: wanted = "backlog"
        }
        self.status = Self.statuses.firstIndex(of: wanted) ?? 0
        points = ""
        description = ""
    }

    /// The form filled with `task`.
    public init(editing task: WorkTask, clients: [ClientChoice]) {
        self.init(clients: clients, clientID: task.clientID, status: .active)
        taskID = task.id
        title = TextSafety.sanitize(task.title)
        if let id = task.clientID, !self.clients.contains(where: { $0.id == id }) {
            self.clients.append(ClientChoice(id: id, name: "client \(id)"))
            client = self.clients.count - 1
        }
        tier = Self.tiers.firstIndex(of: task.valueTier ?? "progress") ?? tier
        status = Self.statuses.firstIndex(of: task.status ?? "") ?? Self.statuses.firstIndex(of: "backlog") ?? 0
        statusLocked = !Self.statuses.contains(task.status ?? "")
        lockedStatus = TextSafety.sanitize(task.status ?? "—")
        points = task.pointsFinal.map(String.init) ?? ""
        description = TextSafety.sanitize(task.description ?? "")
    }

    /// The same choices for every marked task in `batch`, each "unchanged" until chosen.
    public init(batch ids: [Int64], clients: [ClientChoice]) {
        self.init(clients: clients, clientID: nil, status: .active)
        batch = ids
        focus = .client
        unchanged = [.client, .tier, .status]
    }

    public var isNew: Bool { taskID == nil && batch == nil }

    /// The fields the form shows: a batch edits only the choices.
    public var fields: [Field] { batch == nil ? Field.allCases : [.client, .tier, .status] }

    /// What the field shows.
    public func text(of field: Field) -> String {
        if unchanged.contains(field) { return "unchanged" }
        switch field {
        case .title: return title
        case .client: return clients[client].name
        case .tier: return Self.tiers[tier]
        case .status: return statusLocked ? lockedStatus : Self.statuses[status]
        case .points: return points
        case .description: return description
        }
    }

    // MARK: Editing

    mutating func moveFocus(by step: Int) {
        let fields = self.fields
        let index = fields.firstIndex(of: focus) ?? 0
        focus = fields[(index + step + fields.count) % fields.count]
    }

    mutating func cycle(by step: Int) {
        // In a batch "unchanged" is one more choice, before the first.
        if batch != nil, focus.isChoice {
            let count = focus == .client ? clients.count : focus == .tier ? Self.tiers.count : Self.statuses.count
            let current = unchanged.contains(focus) ? -1 : (focus == .client ? client : focus == .tier ? tier : status)
            let next = (current + 1 + step + count + 1) % (count + 1) - 1
            error = nil
            guard next >= 0 else { unchanged.insert(focus); return }
            unchanged.remove(focus)
            switch focus {
            case .client: client = next
            case .tier: tier = next
            default: status = next
            }
            return
        }
        switch focus {
        case .client: client = (client + step + clients.count) % clients.count
        case .tier: tier = (tier + step + Self.tiers.count) % Self.tiers.count
        case .status:
            guard !statusLocked else { error = "A done task's status changes by undoing its completion."; return }
            status = (status + step + Self.statuses.count) % Self.statuses.count
        default: return
        }
        error = nil
    }

    mutating func type(_ c: Character) {
        error = nil
        // Control characters (a pasted tab or escape) never reach the task.
        guard !TextSafety.sanitize(String(c)).isEmpty else { return }
        switch focus {
        case .title:
            if title.count < TaskPlan.maxTitle { title.append(c) } else { error = "A title has at most \(TaskPlan.maxTitle) characters." }
        case .description:
            if description.count < TaskPlan.maxDescription { description.append(c) }
        case .points:
            guard c.isASCII, c.isNumber else { error = "Digits only: points are a whole number from 0 to 1000."; return }
            if points.count < 4 { points.append(c) } else { error = "At most 1000 points." }
        case .client:
            if select(startingWith: c, in: clients.map(\.name), set: { client = $0 }) { unchanged.remove(.client) }
        case .tier:
            if select(startingWith: c, in: Self.tiers, set: { tier = $0 }) { unchanged.remove(.tier) }
        case .status:
            guard !statusLocked else { error = "A done task's status changes by undoing its completion."; return }
            if select(startingWith: c, in: Self.statuses, set: { status = $0 }) { unchanged.remove(.status) }
        }
    }

    /// Chooses the first of `names` that starts with `c`; false when none does.
    private func select(startingWith c: Character, in names: [String], set: (Int) -> Void) -> Bool {
        let letter = String(c).lowercased()
        guard let index = names.firstIndex(where: { $0.lowercased().hasPrefix(letter) }) else { return false }
        set(index)
        return true
    }

    mutating func deleteBackward() {
        error = nil
        switch focus {
        case .title: title = String(title.dropLast())
        case .description: description = String(description.dropLast())
        case .points: points = String(points.dropLast())
        default: break
        }
    }

    mutating func clear() {
        error = nil
        switch focus {
        case .title: title = ""
        case .description: description = ""
        case .points: points = ""
        default: break
        }
    }

    /// The effect of saving, or nil with `error` set when a field is refused.
    mutating func save() -> Effect? {
        if let batch {
            var values: [TaskField: FieldValue] = [:]
            if !unchanged.contains(.client) { values[.clientID] = FieldValue(clients[client].id) }
            if !unchanged.contains(.tier) { values[.valueTier] = .text(Self.tiers[tier]) }
            if !unchanged.contains(.status) { values[.status] = .text(Self.statuses[status]) }
            guard !values.isEmpty else {
                error = "Nothing to change: choose a client, tier or status (←/→)."
                return nil
            }
            return .batch(batch.map { AnyWriteIntent(EditTask.Intent(taskID: $0, values: values)) }, verb: "saved")
        }
        let cleanTitle = TextSafety.sanitize(title).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !cleanTitle.isEmpty else {
            error = "A task needs a title."
            focus = .title
            return nil
        }
        var value: Int?
        if !points.isEmpty {
            guard let number = Int(points), (0...1000).contains(number) else {
                error = "Points are a whole number from 0 to 1000."
                focus = .points
                return nil
            }
            value = number
        }
        let clientID = clients[client].id
        let text = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if let taskID {
            var values: [TaskField: FieldValue] = [
                .title: .text(cleanTitle), .clientID: FieldValue(clientID), .valueTier: .text(Self.tiers[tier]),
                .pointsFinal: FieldValue(value), .description: FieldValue(text.isEmpty ? nil : text),
            ]
            if !statusLocked { values[.status] = .text(Self.statuses[status]) }
            return .editTask(taskID: taskID, values: values)
        }
        return .addTask(NewTask(title: cleanTitle, description: text.isEmpty ? nil : text, clientID: clientID,
                                           valueTier: Self.tiers[tier], status: Self.statuses[status], points: value))
    }
}
