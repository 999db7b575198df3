import Foundation
import GRDB

/// The demo's rows of WorkOS's other tables (`LifeTable`): a month of energy readings (Oura in
/// the morning, a manual one now and then), brain dumps, client memory with risk levels, energy
/// feedback, the tasks' cognitive load (`cognitiveLoad`), the habits' time of day and category. Made from a random
/// source of their own, after everything else, so the rest of the demo stays as it was.
public struct DemoLife: Sendable {
    public var energyReadings: [EnergyReading] = []
    /// `(content, category, context, processed, processedAt, convertedToTaskID, createdAt)`.
    public var brainDumps: [[DatabaseValue]] = []
    /// Rows of `client_memory` in `LifeTable.clientMemory.columns` order.
    public var clientMemory: [[DatabaseValue]] = []
    /// `(taskID, suggested, actual, feedback, completed, createdAt)`.
    public var energyFeedback: [[DatabaseValue]] = []
    /// habit id → (time of day, category).
    public var habitDetails: [Int64: (String, String)] = [:]

    static let dumps: [(String, String, String)] = [
        ("What if the weekly report pulled numbers straight from the CRM?", "idea", "work"),
        ("Worried the Orlando renewal slips past the quarter", "worry", "work"),
        ("Book the car service before the trip", "task", "personal"),
        ("Ask Memphis whether the intake form needs Spanish too", "task", "work"),
        ("The team seems tired after the migration", "thought", "work"),
        ("Plan a weekend without screens", "idea", "personal"),
        ("Renew the domain names before they lapse", "task", "work"),
        ("Call mom about the holidays", "task", "personal"),
    ]

    static let notes = [
        "Prefers email over calls; replies in the mornings.",
        "Budget approvals go through their CFO — allow a week.",
        "Quiet lately; check in before the renewal.",
        "Wants a monthly summary, not weekly.",
    ]

    /// A task's cognitive load, from its drain type and id, as the demo seeds it (in the task's
    /// INSERT, on either primary): deep work mostly high, admin mostly low, shallow mostly
    /// medium; one task in seven has none.
    public static func cognitiveLoad(of task: WorkTask) -> String? {
        let digit = Int(((task.id % 10) + 10) % 10)
        if task.id % 7 == 3 { return nil }
        switch task.drainType {
        case "deep": return digit < 7 ? "high" : "medium"
        case "admin": return digit < 7 ? "low" : "medium"
        default: return digit < 6 ? "medium" : (digit < 8 ? "low" : "high")
        }
    }

    static func make(clients: [Client], habits: [Habit], facts: DemoTaskFacts, now: Date, timeZone: TimeZone,
                     seed: UInt64) -> DemoLife {
        var rng = SplitMix64(seed: seed ^ 0x4C49_4645)
        var life = DemoLife()
        let today = LocalDay(now, in: timeZone)

        for habit in habits {
            let name = habit.name.lowercased()
            let time = name.contains("run") || name.contains("meditate") || name.contains("water") ? "morning"
                : name.contains("read") || name.contains("journal") || name.contains("phone") ? "evening" : "anytime"
            let category = name.contains("review") ? "productivity"
                : name.contains("read") || name.contains("journal") ? "personal" : "health"
            life.habitDetails[habit.id] = (time, category)
        }

        // A reading each morning from Oura for 30 days (the readiness drifting), a manual note on
        // some evenings, and today's morning reading once the morning has come.
        var readiness = Int.random(in: 65...85, using: &rng)
        var id: Int64 = 1
        for back in stride(from: 30, through: 0, by: -1) {
            let day = today.adding(days: -back)
            let morning = day.start(in: timeZone).addingTimeInterval(7 * 3600 + Double(Int.random(in: 0..<1800, using: &rng)))
            guard morning < now else { continue }
            readiness = min(95, max(48, readiness + Int.random(in: -9...9, using: &rng)))
            life.energyReadings.append(EnergyReading(
                id: id, level: EnergyLevel(readiness: readiness).rawValue, source: "oura", ouraReadiness: readiness,
                ouraHRV: Int.random(in: 28...75, using: &rng), ouraSleep: min(100, max(40, readiness + Int.random(in: -10...8, using: &rng))),
                note: nil, recordedAt: Timestamp.format(morning)))
            id += 1
            let evening = day.start(in: timeZone).addingTimeInterval(19 * 3600)
            if back % 4 == 1, evening < now {
                let level = ["low", "medium", "medium", "high"][Int.random(in: 0..<4, using: &rng)]
                life.energyReadings.append(EnergyReading(
                    id: id, level: level, source: "manual", note: level == "low" ? "Long afternoon of calls" : "Felt steady",
                    recordedAt: Timestamp.format(evening)))
                id += 1
            }
        }

        for (index, dump) in dumps.enumerated() {
            let created = now.addingTimeInterval(-Double(index * 29 + 3) * 3600)
            let processed = index >= 5
            var converted: Int64?
            if processed, index == 6, let task = facts.firstDone { converted = task }
            life.brainDumps.append([
                dump.0.databaseValue, dump.1.databaseValue, dump.2.databaseValue, (processed ? 1 : 0).databaseValue,
                (processed ? Timestamp.format(created.addingTimeInterval(3600)) : nil).databaseValue,
                converted.databaseValue, Timestamp.format(created).databaseValue,
            ])
        }

        let risks = ["normal", "normal", "elevated", "normal", "high", "normal"]
        for (index, client) in clients.prefix(12).enumerated() where client.type != "internal" {
            let last = facts.lastDoneOfClient[client.id]
            let staleDays = Int.random(in: 0...12, using: &rng)
            let risk = risks[index % risks.count]
            let at = Timestamp.format(now.addingTimeInterval(-Double(staleDays) * 86400))
            life.clientMemory.append([
                "cm_\(client.id)".databaseValue, client.name.databaseValue, (index < 4 ? "active" : "maintenance").databaseValue,
                last.map { String($0.0) }.databaseValue, last?.1.databaseValue ?? .null, at.databaseValue,
                facts.taskCount[client.id, default: 0].databaseValue, staleDays.databaseValue,
                notes[index % notes.count].databaseValue, (risk == "normal" ? "positive" : "neutral").databaseValue,
                (index < 2 ? "high" : "medium").databaseValue, (risk == "normal" ? 1 : 6 + index).databaseValue,
                (risk == "high" ? "Waiting on their sign-off" : nil).databaseValue, risk.databaseValue,
                (risk == "normal" ? nil : "Promised a revised proposal last week").databaseValue,
                Timestamp.format(now.addingTimeInterval(-200 * 86400)).databaseValue, at.databaseValue,
            ])
        }

        for (index, taskID) in facts.lastDone.enumerated() {
            let suggested = ["high", "medium", "low"][index % 3]
            let actual = ["high", "medium", "low"][(index + (index % 2)) % 3]
            life.energyFeedback.append([
                taskID.databaseValue, suggested.databaseValue, actual.databaseValue,
                (suggested == actual ? "Fit well" : "Harder than it looked").databaseValue, (index % 4 != 3 ? 1 : 0).databaseValue,
                Timestamp.format(now.addingTimeInterval(-Double(index + 1) * 86400)).databaseValue,
            ])
        }
        return life
    }

    /// Writes the rows into a SQLite primary that has WorkOS's other tables (the loads and the
    /// habits' columns went in with their rows, `DemoData.insert`).
    func insert(into db: Database) throws {
        guard try db.tableExists("energy_states") else { return }
        try db.execute(sql: "DELETE FROM energy_states")
        for reading in energyReadings {
            try db.execute(sql: """
                INSERT INTO energy_states (id, level, source, oura_readiness, oura_hrv, oura_sleep, note, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [reading.id, reading.level, reading.source, reading.ouraReadiness, reading.ouraHRV,
                                 reading.ouraSleep, reading.note, reading.recordedAt])
        }
        try db.execute(sql: "DELETE FROM brain_dump")
        for row in brainDumps {
            try db.execute(sql: """
                INSERT INTO brain_dump (content, category, context, processed, processed_at, converted_to_task_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: StatementArguments(row))
        }
        try db.execute(sql: "DELETE FROM client_memory")
        for row in clientMemory {
            try db.execute(sql: """
                INSERT INTO client_memory (\(LifeTable.clientMemory.selection))
                VALUES (\(Array(repeating: "?", count: LifeTable.clientMemory.columns.count).joined(separator: ", ")))
                """, arguments: StatementArguments(row))
        }
        try db.execute(sql: "DELETE FROM energy_feedback")
        for row in energyFeedback {
            try db.execute(sql: """
                INSERT INTO energy_feedback (task_id, suggested_energy_level, actual_energy_level, user_feedback,
                  completed_successfully, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: StatementArguments(row))
        }
    }
}
