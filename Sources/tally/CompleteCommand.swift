import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally complete ID`: the same write-through as `c` in the dashboard.
    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Complete a task: the primary first, then the cache; queued when the primary is down.")

        @OptionGroup var global: GlobalOptions

        // `.allUnrecognized` and `.unconditional`: "-5" reaches the checks below as a value, so the
        // error says what is wrong with it instead of "Missing expected argument".
        @Argument(parsing: .allUnrecognized, help: "The task id.")
        var id: [String] = []

        @Option(parsing: .unconditional,
                help: "Points to award (default: points_final, else points_ai_guess, else by value tier).")
        var points: String?

        func validate() throws {
            _ = try IDArgument.parse(id, what: "task id", usage: "tally complete ID")
            if let points {
                guard let value = Int(points.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("points must be a whole number, got \(points.debugDescription).")
                }
                guard value >= 0 else { throw ValidationError("points must be 0 or more, got \(value).") }
                guard value <= 1000 else { throw ValidationError("points must be at most 1000, got \(value).") }
            }
        }

        func run() async throws {
            let taskID = try IDArgument.parse(id, what: "task id", usage: "tally complete ID")
            let award = try points.map(TallyCore.Points.parse)
            let workspace = try await global.existingWorkspace()
            guard let receipt = try await WritePipeline(workspace: workspace).perform(CompleteTask.Intent(taskID: taskID, points: award)) else {
                return
            }
            let config = workspace.config
            let today = try? workspace.cache.snapshot(query: TaskQuery(limit: 1), defaultTarget: config.targetPoints,
                                                      workday: config.workday).goal
            let figures = today.map { " · today \($0.earned)/\($0.target) · \($0.pace.label)" } ?? ""
            let task = receipt.result.task
            switch receipt.state {
            case .applied, .unchanged:
                Console.out("Completed \(task.id) “\(TextSafety.sanitize(task.title))” +\(task.pointsFinal ?? receipt.write.points) pts\(figures)")
            case .queued(let reason):
                Console.out("Queued \(task.id) “\(TextSafety.sanitize(task.title))” +\(task.pointsFinal ?? 0) pts\(figures) (pending)")
                let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
                Console.error("\(cause); the completion is kept and applied on the next sync.")
            }
            if let behind = receipt.cacheBehind {
                Console.error("the primary has the completion; \(behind).")
            }
            await workspace.primary?.close()
        }
    }
}
