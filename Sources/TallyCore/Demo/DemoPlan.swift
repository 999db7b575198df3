import Foundation
import GRDB

/// A demo data set planned but not yet made whole (`DemoData.plan`): everything but the tasks and
/// WorkOS's other tables is in `data`; the tasks come a batch at a time from `tasks`, and the
/// other tables' rows from `life` once the tasks have all been seen.
public struct DemoPlan: Sendable {
    /// The clients, goal rows, habits and check-ins; no tasks, no `life` rows.
    public var data: DemoData
    public let tasks: DemoTaskPlan
    let now: Date
    let timeZone: TimeZone
    let seed: UInt64

    /// WorkOS's other tables' rows, from what the tasks were (`facts` saw every batch in order).
    public func life(_ facts: DemoTaskFacts) -> DemoLife {
        DemoLife.make(clients: data.clients, habits: data.habits, facts: facts, now: now, timeZone: timeZone, seed: seed)
    }
}

/// The demo's tasks, made again a batch at a time from the random source's state saved before
/// each `stride` of them, with the completion times the goal rows gave the done work tasks.
public struct DemoTaskPlan: Sendable {
    public let count: Int
    let now: Date
    let nowText: String
    let timeZone: TimeZone
    let today: LocalDay
    let historyDays: Int
    let activeClients: [Client]
    /// The random source as it stood before task `n × stride`.
    var starts: [SplitMix64] = []
    /// When each done work task was completed (seconds since the reference date), by index; NaN
    /// for the other tasks.
    var completions: [Double] = []

    /// Tasks between two saved states of the random source.
    static let stride = 10_000

    init(count: Int, now: Date, nowText: String, timeZone: TimeZone, today: LocalDay, historyDays: Int,
         activeClients: [Client]) {
        self.count = count
        self.now = now
        self.nowText = nowText
        self.timeZone = timeZone
        self.today = today
        self.historyDays = historyDays
        self.activeClients = activeClients
    }

    /// The tasks at `range` (indices; a task's id is its index + 1), as they are written.
    public func batch(_ range: Range<Int>) -> [WorkTask] {
        let range = range.clamped(to: 0..<count)
        guard !range.isEmpty else { return [] }
        let first = range.lowerBound / Self.stride * Self.stride
        var rng = starts[first / Self.stride]
        var tasks: [WorkTask] = []
        tasks.reserveCapacity(range.count)
        for index in first..<range.upperBound {
            var (task, isDoneWork) = make(index, rng: &rng)
            guard index >= range.lowerBound else { continue }
            if isDoneWork, !completions[index].isNaN {
                task.completedAt = Timestamp.format(Date(timeIntervalSinceReferenceDate: completions[index]))
                task.settleCompletion()
            }
            tasks.append(task)
        }
        return tasks
    }

    /// Task `index` from the random source as it stands before it, and whether it is done work
    /// (which gets its completion from the goal rows' plan; a done personal task is completed
    /// here, on any day before today, and counts for no day's points).
    ///
    /// - Parameter describing: false leaves out the task's words and times (its title and
    ///   description empty, no dates), for the plan's first pass, which needs only its status
    ///   and points; the random source moves on exactly as with them.
    func make(_ index: Int, rng: inout SplitMix64, describing: Bool = true) -> (task: WorkTask, isDoneWork: Bool) {
        let id = Int64(index + 1)
        let client = activeClients[Int.random(in: 0..<activeClients.count, using: &rng)]
        var roll = Double.random(in: 0..<1, using: &rng)
        var status = "done"
        for (name, share) in Self.statuses {
            if roll < share { status = name; break }
            roll -= share
        }
        let tier = Self.tiers[Int.random(in: 0..<Self.tiers.count, using: &rng)]
        let verb = DemoData.verbs[Int.random(in: 0..<DemoData.verbs.count, using: &rng)]
        let object = DemoData.objects[Int.random(in: 0..<DemoData.objects.count, using: &rng)]
        let ageDays = Int.random(in: 0..<historyDays, using: &rng)
        let createdAt = now.addingTimeInterval(-Double(ageDays) * 86400 - Double.random(in: 0..<86400, using: &rng))
        var task = WorkTask(
            id: id, clientID: client.id, title: describing ? "\(verb) \(object)" : "",
            description: describing ? "\(verb) the \(object) for \(client.name)." : nil, status: status,
            category: index % 9 == 0 ? "personal" : "work", valueTier: tier,
            effortEstimate: Int.random(in: 1...5, using: &rng), drainType: Self.drains[index % Self.drains.count],
            sortOrder: index, subtasks: index % 4 == 0 ? #"[{"title":"Outline","done":true},{"title":"Finish","done":false}]"# : nil,
            createdAt: describing ? Timestamp.format(createdAt) : nil, updatedAt: nowText)
        task.pointsAIGuess = index % 3 == 0 ? nil : max(1, (Points.forTier(tier) ?? 2) + Int.random(in: -1...1, using: &rng))
        if status == "backlog" { task.backlogEnteredAt = task.createdAt }
        var isDoneWork = false
        if status == "done" {
            task.pointsFinal = Points.forTask(task)
            task.effortActual = task.effortEstimate
            if task.category == "work" {
                isDoneWork = true
            } else {
                let back = Int.random(in: 1...historyDays, using: &rng)
                let after = 8 * 3600 + Double.random(in: 0..<(12 * 3600), using: &rng)
                guard describing else { return (task, false) }
                task.completedAt = Timestamp.format(today.adding(days: -back).start(in: timeZone).addingTimeInterval(after))
                task.settleCompletion()
                return (task, false)
            }
        }
        task.updatedAt = task.createdAt
        return (task, isDoneWork)
    }

    static let statuses: [(String, Double)] = [("active", 0.10), ("queued", 0.10), ("backlog", 0.18), ("done", 0.62)]
    static let tiers = ValueTier.workos.map(\.rawValue)
    static let drains = ["deep", "shallow", "admin"]
}

/// What WorkOS's other tables' demo rows take from the tasks, gathered as the tasks go by (in
/// id order): the done tasks' first and last ids, and each client's task count and latest done task.
public struct DemoTaskFacts: Sendable {
    /// The first done task with a completion time.
    var firstDone: Int64?
    /// The last five done tasks with a completion time, oldest first.
    var lastDone: [Int64] = []
    var taskCount: [Int64: Int] = [:]
    /// Each client's last done task (id, title).
    var lastDoneOfClient: [Int64: (Int64, String)] = [:]

    public init() {}

    public mutating func add(_ task: WorkTask) {
        if let client = task.clientID { taskCount[client, default: 0] += 1 }
        guard task.status == "done" else { return }
        if let client = task.clientID { lastDoneOfClient[client] = (task.id, task.title) }
        guard task.completedAt != nil else { return }
        if firstDone == nil { firstDone = task.id }
        lastDone.append(task.id)
        if lastDone.count > 5 { lastDone.removeFirst() }
    }
}

/// A table's secondary indexes set aside while a demo fills it, and made again after: one sort an
/// index instead of a row inserted at a random place in each, a batch after another (a million
/// tasks' batches wrote most of every index's pages to the log again, batch after batch).
/// Used only on files the demo has just made and no one else has open.
enum SetAsideIndexes {
    /// Drops the indexes of `tables` SQLite did not make itself (primary keys, UNIQUE) and
    /// returns the statements that make them again.
    static func drop(on tables: [String], _ db: Database) throws -> [String] {
        let list = tables.map { "'\($0)'" }.joined(separator: ", ")
        let indexes = try Row.fetchAll(db, sql: """
            SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(list))
            ORDER BY name
            """)
        var statements: [String] = []
        for index in indexes {
            let name: String = index["name"]
            statements.append(index["sql"])
            try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
        }
        return statements
    }

    static func restore(_ statements: [String], _ db: Database) throws {
        try sortingOnEveryCore(db) {
            for statement in statements { try db.execute(sql: statement) }
        }
    }

    /// Runs `body` with SQLite's sorter free to take a helper thread for each other core
    /// (`PRAGMA threads`, back to none after): an index made from rows in place is one large
    /// sort, which then runs on two cores. The demo's eight task indexes of a million rows,
    /// with the sqlite3 shell: 10.4–11.7 s, 8.8–9.7 s with helpers.
    static func sortingOnEveryCore<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let helpers = min(max(ProcessInfo.processInfo.activeProcessorCount - 1, 0), 3)
        try db.execute(sql: "PRAGMA threads = \(helpers)")
        defer { try? db.execute(sql: "PRAGMA threads = 0") }
        return try body()
    }
}
