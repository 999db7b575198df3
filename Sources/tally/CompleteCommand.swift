import ArgumentParser
import Foundation
import TallyCore

extension Tally {
    /// `tally complete ID`: the same write-through as `c` in the dashboard.
    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Complete a task: the primary first, then the cache; queued when the primary is down.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The task id.")
        var id: String

        @Option(help: "Points to award (default: points_final, else points_ai_guess, else by value tier).")
        var points: String?

        func run() async throws {
            guard let taskID = Int64(id.trimmingCharacters(in: .whitespaces)) else {
                throw TallyError.badArgument("Task id must be a number, not \(id.debugDescription).")
            }
            let award = try points.map(TallyCore.Points.parse)
            let workspace = try global.workspace()
            let service = CompletionService(workspace: workspace)
            let outcome = try await service.complete(taskID: taskID, points: award)
            switch outcome {
            case .applied(let task, let goal, _):
                print("Completed \(task.id) “\(TextSafety.sanitize(task.title))” +\(task.pointsFinal ?? 0) pts · today \(goal.earnedPoints ?? 0)/\(goal.targetPoints ?? workspace.config.targetPoints) · streak \(goal.currentStreak ?? 0)")
            case .queued(let task, let goal, _, let reason):
                print("Queued \(task.id) “\(TextSafety.sanitize(task.title))” +\(task.pointsFinal ?? 0) pts · today \(goal.earnedPoints ?? 0)/\(goal.targetPoints ?? workspace.config.targetPoints) (pending)")
                let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
                FileHandle.standardError.write(Data("tally: \(cause); the completion is kept and applied on the next sync.\n".utf8))
            }
            await workspace.primary?.close()
        }
    }
}
