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
            if let option = id.first(where: { $0.hasPrefix("-") && Double($0) == nil }) {
                throw ValidationError("Unknown option '\(option)'.")
            }
            guard let text = id.first else { throw ValidationError("Missing the task id: tally complete ID.") }
            guard id.count == 1 else { throw ValidationError("One task id at a time, got \(id.joined(separator: " ")).") }
            _ = try taskID(text)
            if let points {
                guard let value = Int(points.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("points must be a whole number, got \(points.debugDescription).")
                }
                guard value >= 0 else { throw ValidationError("points must be 0 or more, got \(value).") }
                guard value <= 1000 else { throw ValidationError("points must be at most 1000, got \(value).") }
            }
        }

        func taskID(_ text: String) throws -> Int64 {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let value = Int64(trimmed) else {
                throw ValidationError("The task id must be a number, not \(text.debugDescription).")
            }
            guard value > 0 else { throw ValidationError("The task id must be a positive number, got \(value).") }
            return value
        }

        func run() async throws {
            let taskID = try taskID(id.first ?? "")
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
                print("Completed \(task.id) “\(TextSafety.sanitize(task.title))” +\(task.pointsFinal ?? receipt.write.points) pts\(figures)")
            case .queued(let reason):
                print("Queued \(task.id) “\(TextSafety.sanitize(task.title))” +\(task.pointsFinal ?? 0) pts\(figures) (pending)")
                let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
                FileHandle.standardError.write(Data("tally: \(cause); the completion is kept and applied on the next sync.\n".utf8))
            }
            if let behind = receipt.cacheBehind {
                FileHandle.standardError.write(Data("tally: the primary has the completion; \(behind).\n".utf8))
            }
            await workspace.primary?.close()
        }
    }
}
