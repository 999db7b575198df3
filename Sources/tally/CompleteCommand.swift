import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

extension Tally {
    /// `tally complete ID…`: the same write-through as `c` in the dashboard; several ids are a
    /// batch, as marked tasks are.
    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "complete",
            abstract: "Complete tasks: the primary first, then the cache; queued when the primary is down.",
            discussion: """
                Several ids complete each task in turn (one write each, as `c` on marked tasks does): a line per \
                task and a summary; the exit status is 1 when any of them failed, and the others stay completed.
                """)

        @OptionGroup var global: GlobalOptions

        // `.allUnrecognized` and `.unconditional`: "-5" reaches the checks below as a value, so the
        // error says what is wrong with it instead of "Missing expected argument".
        @Argument(parsing: .allUnrecognized, help: "The task ids.")
        var id: [String] = []

        @Option(parsing: .unconditional,
                help: "Points to award each task (default: points_final, else points_ai_guess, else by value tier).")
        var points: String?

        func validate() throws {
            _ = try taskIDs()
            if let points {
                guard let value = Int(points.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("points must be a whole number, got \(points.debugDescription).")
                }
                guard value >= 0 else { throw ValidationError("points must be 0 or more, got \(value).") }
                guard value <= 1000 else { throw ValidationError("points must be at most 1000, got \(value).") }
            }
        }

        /// The ids as typed, each checked; the same id twice is one task.
        func taskIDs() throws -> [Int64] {
            if let option = id.first(where: { $0.hasPrefix("-") && Double($0) == nil }) {
                throw ValidationError("Unknown option '\(option)'.")
            }
            guard !id.isEmpty else { throw ValidationError("Missing the task id: tally complete ID [ID …].") }
            var ids: [Int64] = []
            for text in id {
                let value = try IDArgument.value(text, what: "task id")
                if !ids.contains(value) { ids.append(value) }
            }
            return ids
        }

        func run() async throws {
            let ids = try taskIDs()
            let award = try points.map(TallyCore.Points.parse)
            let workspace = try await global.existingWorkspace()
            let writes = WritePipeline(workspace: workspace)
            if ids.count == 1 {
                try await completeOne(ids[0], points: award, workspace: workspace, writes: writes)
                await workspace.primary?.close()
                return
            }
            let allDone = await completeBatch(ids, points: award, workspace: workspace, writes: writes)
            await workspace.primary?.close()
            if !allDone { throw ExitCode(1) }
        }

        /// ` · today 11/18 · on track`, from the cache as it is now.
        func todayFigures(_ workspace: Workspace) -> String {
            let config = workspace.config
            let today = try? workspace.cache.snapshot(query: TaskQuery(limit: 1), defaultTarget: config.targetPoints,
                                                      workday: config.workday).goal
            return today.map { " · today \($0.earned)/\($0.target) · \($0.pace.label)" } ?? ""
        }

        func completeOne(_ taskID: Int64, points: Int?, workspace: Workspace, writes: WritePipeline) async throws {
            guard let receipt = try await writes.perform(CompleteTask.Intent(taskID: taskID, points: points)) else { return }
            let figures = todayFigures(workspace)
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
        }

        /// One write per task through the pipeline's batch: a line per task (in the order
        /// given), then the summary; a failure leaves the others completed. False when any failed.
        func completeBatch(_ ids: [Int64], points: Int?, workspace: Workspace, writes: WritePipeline) async -> Bool {
            let outcome = await writes.performBatch(ids.map { AnyWriteIntent(CompleteTask.Intent(taskID: $0, points: points)) })
            let tasks = (try? await workspace.cache.read { db in
                try ids.compactMap { id in try CacheRows.task(id, db).map { (id, $0) } }
            }).map { Dictionary($0, uniquingKeysWith: { first, _ in first }) } ?? [:]
            func has(_ list: [WriteSubject], _ id: Int64) -> Bool { list.contains { $0.ids.first == id } }
            for id in ids {
                let title = tasks[id].map { " “\(TextSafety.sanitize($0.title))”" } ?? ""
                if let failure = outcome.failed.first(where: { $0.subject.ids.first == id }) {
                    Console.error("Failed \(id)\(title): \(failure.reason)")
                } else if has(outcome.queued, id) {
                    Console.out("Queued \(id)\(title) +\(tasks[id]?.pointsFinal ?? 0) pts (pending)")
                } else if has(outcome.done, id) {
                    Console.out("Completed \(id)\(title) +\(tasks[id].map(TallyCore.Points.forTask) ?? 0) pts")
                } else {
                    Console.out("Unchanged \(id)\(title)")
                }
            }
            let done = outcome.done.count
            var summary = "Completed \(done) of \(ids.count) tasks\(todayFigures(workspace))"
            if !outcome.queued.isEmpty { summary += " (\(outcome.queued.count) queued for the primary)" }
            Console.out(summary)
            if !outcome.queued.isEmpty {
                Console.error("the primary could not be reached; the queued completions are applied on the next sync.")
            }
            return outcome.failed.isEmpty
        }
    }
}
