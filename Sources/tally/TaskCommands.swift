import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

/// `tally add|edit|promote|delete`: the task writes of the dashboard's `a`, `e`, `>` and `D`,
/// written through the same way (the primary first, then the cache; queued when it is away).
extension Tally {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a task and print its id (WorkOS's defaults: backlog, progress tier, first in its status).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The title (quote it).") var title: String
        @OptionGroup var fields: TaskFieldOptions

        func validate() throws { try fields.check() }

        func run() async throws {
            let workspace = try await global.existingWorkspace()
            let new = try NewTask(title: title, description: fields.description, clientID: fields.clientID(in: workspace),
                                  valueTier: fields.tier?.rawValue, status: fields.status?.rawValue,
                                  points: fields.pointsValue())
            let receipt = try await WritePipeline(workspace: workspace).perform(AddTask.Intent(new))
            Console.out(receipt?.result.first.map { String($0.id) } ?? "")
            TaskCommandOutput.noteCleaned(title)
            TaskCommandOutput.noteQueued(receipt?.state, "the task is kept and added on the next sync; it gets its id from the primary then")
            await workspace.primary?.close()
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "edit", abstract: "Change a task's title, client, tier, status, points or description.")

        @OptionGroup var global: GlobalOptions
        @Argument(parsing: .allUnrecognized, help: "The task id.") var id: [String] = []
        @Option(help: "A new title.") var title: String?
        @OptionGroup var fields: TaskFieldOptions

        func validate() throws {
            _ = try TaskCommandOutput.taskID(id)
            try fields.check()
            guard title != nil || fields.isEmpty == false else {
                throw ValidationError("Nothing to change: give --title, --client, --tier, --status, --points or --description.")
            }
        }

        func run() async throws {
            let taskID = try TaskCommandOutput.taskID(id)
            let workspace = try await global.existingWorkspace()
            var values: [TaskField: FieldValue] = [:]
            if let title { values[.title] = .text(title) }
            if fields.client != nil { values[.clientID] = FieldValue(try fields.clientID(in: workspace)) }
            if let tier = fields.tier { values[.valueTier] = .text(tier.rawValue) }
            if let status = fields.status { values[.status] = .text(status.rawValue) }
            if let points = try fields.pointsValue() { values[.pointsFinal] = FieldValue(points) }
            if let description = fields.description { values[.description] = FieldValue(description.isEmpty ? nil : description) }
            let receipt = try await WritePipeline(workspace: workspace).perform(EditTask.Intent(taskID: taskID, values: values))
            TaskCommandOutput.report(receipt?.state, task: receipt?.result.first, verb: receipt == nil ? "Unchanged" : "Edited", id: taskID)
            if let title { TaskCommandOutput.noteCleaned(title) }
            await workspace.primary?.close()
        }
    }

    struct Promote: OneTaskCommand {
        static let configuration = CommandConfiguration(commandName: "promote", abstract: "Make a task active, as WorkOS's promote does.")
        static let done = "Promoted"

        @OptionGroup var global: GlobalOptions
        @Argument(parsing: .allUnrecognized, help: "The task id.") var id: [String] = []

        func write(_ taskID: Int64, through writes: WritePipeline) async throws -> (WriteState, WorkTask?)? {
            try await writes.perform(EditTask.Promote(taskID: taskID)).map { ($0.state, $0.result.first) }
        }
    }

    struct Delete: OneTaskCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a task from the primary and the cache.")
        static let done = "Deleted"

        @OptionGroup var global: GlobalOptions
        @Argument(parsing: .allUnrecognized, help: "The task id.") var id: [String] = []

        func write(_ taskID: Int64, through writes: WritePipeline) async throws -> (WriteState, WorkTask?)? {
            try await writes.perform(DeleteTask.Intent(taskID: taskID)).map { ($0.state, $0.write.task) }
        }
    }
}

/// `tally promote ID` and `tally delete ID`: one task id, one write, one line (their shared
/// parsing and reporting, defined once).
protocol OneTaskCommand: AsyncParsableCommand {
    /// The past tense the report starts with ("Promoted").
    static var done: String { get }
    var global: GlobalOptions { get }
    var id: [String] { get }
    /// Carries the write out; what became of it and the task as it is (nil: nothing written).
    func write(_ taskID: Int64, through writes: WritePipeline) async throws -> (WriteState, WorkTask?)?
}

extension OneTaskCommand {
    func validate() throws { _ = try TaskCommandOutput.taskID(id) }

    func run() async throws {
        let taskID = try TaskCommandOutput.taskID(id)
        let workspace = try await global.existingWorkspace()
        let outcome = try await write(taskID, through: WritePipeline(workspace: workspace))
        TaskCommandOutput.report(outcome?.0, task: outcome?.1, verb: Self.done, id: taskID)
        await workspace.primary?.close()
    }
}

/// The fields `add` and `edit` share.
struct TaskFieldOptions: ParsableArguments {
    // `.unconditional`: "-1" is the value, so the message can say what is wrong with it.
    @Option(parsing: .unconditional, help: "The client, by name (case-insensitive) or id; for edit, 'none' clears it.")
    var client: String?

    @Option(help: "The value tier.")
    var tier: TierOption?

    @Option(help: "The status (done is for `tally complete`).")
    var status: WritableStatus?

    @Option(parsing: .unconditional, help: "Points for the task (0–1000), instead of the tier's.")
    var points: String?

    @Option(help: "A description; for edit, \"\" clears it.")
    var description: String?

    var isEmpty: Bool { client == nil && tier == nil && status == nil && points == nil && description == nil }

    func check() throws {
        _ = try pointsValue()
        if let client, let number = Int64(client.trimmingCharacters(in: .whitespaces)), number <= 0 {
            throw ValidationError("--client must be a client's name or a positive id, got \(number).")
        }
        if let description, description.count > TaskPlan.maxDescription {
            throw ValidationError("A description has at most \(TaskPlan.maxDescription) characters.")
        }
    }

    func pointsValue() throws -> Int? {
        guard let points else { return nil }
        guard let value = Int(points.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("points must be a whole number, got \(points.debugDescription).")
        }
        guard value >= 0 else { throw ValidationError("points must be 0 or more, got \(value).") }
        guard value <= 1000 else { throw ValidationError("points must be at most 1000, got \(value).") }
        return value
    }

    /// The client's id from a name or an id the cache knows; nil for no client.
    func clientID(in workspace: Workspace) throws -> Int64? {
        guard let client else { return nil }
        if client.lowercased() == "none" { return nil }
        let clients = try workspace.cache.snapshot(query: TaskQuery(limit: 1)).clients.map(\.client)
        if let match = clients.first(where: { $0.name.lowercased() == client.lowercased() || String($0.id) == client }) {
            return match.id
        }
        let names = clients.map(\.name).joined(separator: ", ")
        throw TallyError.badArgument("No client named \(client.debugDescription)\(names.isEmpty ? "" : "; clients: \(names)").")
    }
}

enum TierOption: String, CaseIterable, ExpressibleByArgument {
    case checkbox, progress, deliverable, milestone

    init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

enum WritableStatus: String, CaseIterable, ExpressibleByArgument {
    case active, queued, backlog

    init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

enum TaskCommandOutput {
    /// One positive task id, or a line saying what is wrong.
    static func taskID(_ words: [String]) throws -> Int64 {
        try IDArgument.parse(words, what: "task id")
    }

    static func report(_ state: WriteState?, task: WorkTask?, verb: String, id: Int64) {
        let title = task.map { " “\(TextSafety.sanitize($0.title))”" } ?? ""
        Console.out("\(verb) \(id)\(title)\(isQueued(state) ? " (pending)" : "")")
        noteQueued(state, "the change is kept and applied on the next sync")
    }

    /// Titles are one line of text: a title typed with control characters (a newline, a tab,
    /// an escape sequence) is saved without them, and the person is told.
    static func noteCleaned(_ title: String) {
        guard title.unicodeScalars.contains(where: TextSafety.isControl) else { return }
        Console.error("the title's control characters were removed (newlines and tabs became spaces).")
    }

    static func isQueued(_ state: WriteState?) -> Bool {
        if case .queued? = state { return true }
        return false
    }

    static func noteQueued(_ state: WriteState?, _ what: String) {
        guard case .queued(let reason)? = state else { return }
        let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
        Console.error("\(cause); \(what).")
    }
}
