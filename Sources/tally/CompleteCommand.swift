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
            let config = workspace.config
            let today = try? workspace.cache.snapshot(query: TaskQuery(limit: 1), defaultTarget: config.targetPoints,
                                                      workday: config.workday).goal
            let figures = today.map { " · today \($0.earned)/\($0.target) · \($0.pace.label)" } ?? ""
            switch outcome {
            case .applied(let task, _, _):
                print("Completed \(task.id) “\(TextSafety.sanitize(task.title))” +\(task.pointsFinal ?? 0) pts\(figures)")
            case .queued(let task, _, _, let reason):
                print("Queued \(task.id) “\(TextSafety.sanitize(task.title))” +\(task.pointsFinal ?? 0) pts\(figures) (pending)")
                let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
                FileHandle.standardError.write(Data("tally: \(cause); the completion is kept and applied on the next sync.\n".utf8))
            }
            await workspace.primary?.close()
        }
    }
}
