import Foundation
import GRDB
import TallyCore

/// `workos_adjust_daily_goal`, `life_log_energy`, `life_override_energy_suggestion` and
/// `life_provide_energy_feedback`: each one write kind of the core's pipeline (primary first,
/// then Tally's copies in the cache, queued while the primary is away), answered as WorkOS does.
enum EnergyWriteTools {
    static let levels = LifeWriteAnswers.levels

    static let adjustDailyGoal = MCPTool(
        name: "workos_adjust_daily_goal",
        description: """
            Adjust today's point target to today's readiness (today's logged energy reading, else the \
            Oura cache's readiness): 85 and over +15%, 70–84 unchanged, under 70 −25%, none known \
            unchanged. baseTarget (1–1000) is the target adjusted, by default the configured one (18). \
            Today's goal row gets the adjusted target, the readiness, the energy level and the reason; \
            the dashboard's header and workos_get_today_metrics show the new target at once. Written to \
            the primary first, then the local cache; queued (pending: true) when the primary is \
            unreachable. Answers adjustment (originalTarget, adjustedTarget, adjustmentPercentage, \
            reason), energyContext (energyLevel, readinessScore, sleepScore, source) and message.
            """,
        inputSchema: Schema.object([
            ("baseTarget", Schema.integer("The target to adjust (default: the configured target, 18)", minimum: 1, maximum: 1000)),
        ]),
        outputSchema: LifeWriteAnswers.schema([
            ("adjustment", Out.object([("originalTarget", Out.integer), ("adjustedTarget", Out.integer),
                                       ("adjustmentPercentage", Out.integer), ("reason", Out.string)])),
            ("energyContext", Out.object([("energyLevel", ["enum": ["high", "medium", "low"]]), ("readinessScore", Out.optionalInteger),
                                          ("sleepScore", Out.optionalInteger), ("source", Out.string)])),
        ], optional: []),
        readOnly: false, destructive: true, idempotent: true
    ) { arguments, context in
        let base = try arguments.optionalInt("baseTarget", in: 1...1000)
        let receipt = try await LifeWriteAnswers.perform(AdjustDailyGoal.Intent(baseTarget: base), context)
        let write = receipt.write
        let set = write.change.set
        let adjusted = set.adjustedTarget ?? write.originalTarget
        let sign = write.adjustmentPercentage >= 0 ? "+" : ""
        return .object([
            ("success", .bool(true)),
            ("adjustment", .object([
                ("originalTarget", .int(Int64(write.originalTarget))), ("adjustedTarget", .int(Int64(adjusted))),
                ("adjustmentPercentage", .int(Int64(write.adjustmentPercentage))), ("reason", .string(set.reason ?? "")),
            ])),
            ("energyContext", .object([
                ("energyLevel", .string(set.energyLevel ?? "medium")), ("readinessScore", .optional(set.readinessScore)),
                ("sleepScore", .optional(write.sleepScore)), ("source", .string(write.source ?? "default")),
            ])),
        ] + LifeWriteAnswers.message("Daily goal adjusted from \(write.originalTarget) to \(adjusted) points (\(sign)\(write.adjustmentPercentage)%)",
                                     receipt.state, what: "the adjustment"))
    }

    static let entry = Out.object([
        ("id", Out.integer), ("level", Out.string), ("source", Out.optionalString), ("ouraReadiness", Out.optionalInteger),
        ("ouraHrv", Out.optionalInteger), ("ouraSleep", Out.optionalInteger), ("note", Out.optionalString), ("recordedAt", Out.string),
    ])

    static let logEnergy = MCPTool(
        name: "life_log_energy",
        description: """
            Log your energy now: level (high, medium, low), an optional note (up to 500 characters) and \
            Oura figures (ouraReadiness 0–100, ouraHrv 0–300, ouraSleep 0–100; with a readiness the \
            source is oura, else manual). The newest reading of the day is today's energy for \
            workos_get_energy_aware_tasks and the daily summary, and its readiness drives \
            workos_adjust_daily_goal. Written to the primary first, then the local cache; queued \
            (pending: true, a negative id until then) when the primary is unreachable. Answers the entry.
            """,
        inputSchema: Schema.object([
            ("level", Schema.string("Energy level", oneOf: levels)),
            ("note", Schema.string("An optional note (up to 500 characters)", maxLength: 500)),
            ("ouraReadiness", Schema.integer("Oura readiness score", minimum: 0, maximum: 100)),
            ("ouraHrv", Schema.integer("Oura HRV", minimum: 0, maximum: 300)),
            ("ouraSleep", Schema.integer("Oura sleep score", minimum: 0, maximum: 100)),
        ], required: ["level"]),
        outputSchema: LifeWriteAnswers.schema([("entry", entry)]),
        readOnly: false, idempotent: false
    ) { arguments, context in
        let level = try LifeWriteAnswers.level(arguments, "level", required: true) ?? .medium
        let intent = LogEnergy.Intent(level: level, note: try arguments.optionalString("note", maxLength: 500),
                                      ouraReadiness: try arguments.optionalInt("ouraReadiness", in: 0...100),
                                      ouraHRV: try arguments.optionalInt("ouraHrv", in: 0...300),
                                      ouraSleep: try arguments.optionalInt("ouraSleep", in: 0...100))
        let receipt = try await LifeWriteAnswers.perform(intent, context)
        return .object([("success", .bool(true)), ("entry", LifeWriteAnswers.row(.energyStates, receipt.result.entry))]
                       + LifeWriteAnswers.pending(receipt.state, what: "the reading"))
    }

    static let taskSummary = Out.object([("id", Out.integer), ("title", Out.string), ("cognitiveLoad", Out.optionalString),
                                         ("valueTier", Out.optionalString), ("status", Out.optionalString)])

    static func taskSummary(_ task: WorkTask, load: String?) -> JSON {
        .object([("id", .int(task.id)), ("title", .string(task.title)), ("cognitiveLoad", .optional(load)),
                 ("valueTier", .optional(task.valueTier)), ("status", .optional(task.status))])
    }

    static let overrideEnergy = MCPTool(
        name: "life_override_energy_suggestion",
        description: """
            Say what your energy really is when the readiness gets it wrong: energyLevel (high, medium, \
            low) and reason (why, up to 500 characters) are logged as a manual reading ("OVERRIDE: \
            reason"), which becomes today's energy. Unless adjustDailyGoal is false, today's target \
            is adjusted as for a readiness of 90 (high, +15%), 77 (medium, unchanged) or 60 (low, \
            −25%), keeping the level you gave. taskId (optional) names the task you are overriding \
            for; it is shown back. Written to the primary first, then the local cache; queued \
            (pending: true) when the primary is unreachable. Answers override (energyLevel, reason, \
            recordedAt, entryId), task and dailyGoalAdjustment.
            """,
        inputSchema: Schema.object([
            ("energyLevel", Schema.string("Your energy level now", oneOf: levels)),
            ("reason", Schema.string("Why you override (1–500 characters)", minLength: 1, maxLength: 500)),
            ("taskId", Schema.id("The task you are overriding a suggestion for (optional)")),
            ("adjustDailyGoal", Schema.boolean("Adjust today's target to this level (default true)")),
        ], required: ["energyLevel", "reason"]),
        outputSchema: LifeWriteAnswers.schema([
            ("override", Out.object([("energyLevel", Out.string), ("reason", Out.string), ("recordedAt", Out.string),
                                     ("entryId", Out.integer)])),
            ("task", taskSummary),
            ("dailyGoalAdjustment", Out.object([("originalTarget", Out.integer), ("adjustedTarget", Out.integer),
                                                ("adjustmentPercentage", Out.integer), ("reason", Out.string),
                                                ("energyLevel", Out.string), ("mappedReadiness", Out.integer)],
                                               optional: ["originalTarget", "adjustedTarget", "adjustmentPercentage", "reason",
                                                          "energyLevel", "mappedReadiness"])),
        ], optional: ["task", "dailyGoalAdjustment"]),
        readOnly: false, destructive: true, idempotent: false
    ) { arguments, context in
        let level = try LifeWriteAnswers.level(arguments, "energyLevel", required: true) ?? .medium
        guard let reason = try arguments.optionalString("reason", maxLength: 500, trimmed: true), !reason.isEmpty else {
            throw ToolFailure("reason is required: why you override, 1 to 500 characters.")
        }
        let taskID = try arguments.optionalID("taskId")
        let adjust = try arguments.optionalBool("adjustDailyGoal") ?? true
        // The task is only shown back, but an unknown one is a mistake worth saying.
        var task: (WorkTask, String?)?
        if let taskID { task = try await context.pipeline().context.anyTask(taskID) }
        let receipt = try await LifeWriteAnswers.perform(OverrideEnergy.Intent(level: level, reason: reason, adjustDailyGoal: adjust), context)
        let write = receipt.write
        let entry = receipt.result.entry
        var members: [(String, JSON)] = [
            ("success", .bool(true)),
            ("override", .object([("energyLevel", .string(level.rawValue)), ("reason", .string(reason)),
                                  ("recordedAt", .optional(entry.text("recorded_at"))), ("entryId", .optional(entry.int64("id")))])),
        ]
        if let task { members.append(("task", taskSummary(task.0, load: task.1))) }
        if let refused = receipt.result.dayRefused {
            members.append(("dailyGoalAdjustment", .object([("error", .string("Failed to adjust daily goal")), ("details", .string(refused))])))
        } else if let day = write.day {
            members.append(("dailyGoalAdjustment", .object([
                ("originalTarget", .optional(write.originalTarget)), ("adjustedTarget", .optional(day.set.adjustedTarget)),
                ("adjustmentPercentage", .optional(write.adjustmentPercentage)), ("reason", .optional(day.set.reason)),
                ("energyLevel", .optional(day.set.energyLevel)), ("mappedReadiness", .optional(write.mappedReadiness)),
            ])))
        }
        return .object(members + LifeWriteAnswers.pending(receipt.state, what: "the override"))
    }

    static let energyFeedback = MCPTool(
        name: "life_provide_energy_feedback",
        description: """
            Say whether an energy-matched task suggestion fitted: taskId, suggestedEnergyLevel and \
            actualEnergyLevel (low, medium, high), completedSuccessfully, and optional userFeedback (up \
            to 2000 characters). Written to the primary first, then the local cache; queued (pending: \
            true) when the primary is unreachable. Answers feedback (id, taskId, suggestedEnergyLevel, \
            actualEnergyLevel, completedSuccessfully, userFeedback, recordedAt), task (id, title, \
            cognitiveLoad, valueTier, status) and analysis (isMatch, energyDelta = actual − suggested \
            from −2 to 2, message).
            """,
        inputSchema: Schema.object([
            ("taskId", Schema.id("The task that was suggested")),
            ("suggestedEnergyLevel", Schema.string("The energy level it was suggested for", oneOf: ["low", "medium", "high"])),
            ("actualEnergyLevel", Schema.string("Your energy level when you worked on it", oneOf: ["low", "medium", "high"])),
            ("completedSuccessfully", Schema.boolean("Whether you finished it")),
            ("userFeedback", Schema.string("Anything else about the match (up to 2000 characters)", maxLength: 2000)),
        ], required: ["taskId", "suggestedEnergyLevel", "actualEnergyLevel", "completedSuccessfully"]),
        outputSchema: LifeWriteAnswers.schema([
            ("feedback", Out.object([("id", Out.integer), ("taskId", Out.integer), ("suggestedEnergyLevel", Out.string),
                                     ("actualEnergyLevel", Out.string), ("completedSuccessfully", Out.boolean),
                                     ("userFeedback", Out.optionalString), ("recordedAt", Out.string)])),
            ("task", taskSummary),
            ("analysis", Out.object([("isMatch", Out.boolean), ("energyDelta", Out.integer), ("message", Out.string)])),
        ]),
        readOnly: false, idempotent: false
    ) { arguments, context in
        let taskID = try arguments.id("taskId")
        let suggested = try LifeWriteAnswers.level(arguments, "suggestedEnergyLevel", required: true) ?? .medium
        let actual = try LifeWriteAnswers.level(arguments, "actualEnergyLevel", required: true) ?? .medium
        guard let completed = try arguments.optionalBool("completedSuccessfully") else {
            throw ToolFailure("completedSuccessfully is required: true or false.")
        }
        let intent = ProvideEnergyFeedback.Intent(taskID: taskID, suggested: suggested, actual: actual, completedSuccessfully: completed,
                                                  userFeedback: try arguments.optionalString("userFeedback", maxLength: 2000))
        let writes = try context.pipeline()
        let (task, load) = try await writes.context.anyTask(taskID)
        let receipt = try await LifeWriteAnswers.perform(intent, context)
        let entry = receipt.result.entry
        let analysis = ProvideEnergyFeedback.analysis(suggested: suggested, actual: actual, completed: completed, cognitiveLoad: load)
        return .object([
            ("success", .bool(true)),
            ("feedback", .object([
                ("id", .optional(entry.int64("id"))), ("taskId", .int(taskID)), ("suggestedEnergyLevel", .string(suggested.rawValue)),
                ("actualEnergyLevel", .string(actual.rawValue)), ("completedSuccessfully", .bool(completed)),
                ("userFeedback", .optional(entry.text("user_feedback"))), ("recordedAt", .optional(entry.text("created_at"))),
            ])),
            ("task", taskSummary(task, load: load)),
            ("analysis", .object([("isMatch", .bool(analysis.isMatch)), ("energyDelta", .int(Int64(analysis.delta))),
                                  ("message", .string(analysis.message))])),
        ] + LifeWriteAnswers.pending(receipt.state, what: "the feedback"))
    }
}
