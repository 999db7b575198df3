import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

/// `tally habits` lists habits with whether each is done today; `tally habit done` checks one in,
/// written through as the dashboard's `Space` in the habits pane is.
extension Tally {
    struct Habits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "habits", abstract: "List the active habits with their streaks and whether each is done today.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON in WorkOS's shape (indented on a terminal, one line in a pipe).")
        var json = false

        func run() async throws {
            let workspace = try await global.existingWorkspace(needsPrimary: false)
            let statuses = try await HabitStatus.read(workspace.cache)
            if json {
                Console.json(JSONOutput.string(statuses.map { HabitJSON.habit($0) }, pretty: isatty(STDOUT_FILENO) == 1))
                return
            }
            for status in statuses {
                let h = status.habit
                let name = TextSafety.sanitize(h.name)
                let mark = status.doneToday ? "✓" : "·"
                Console.out("\(h.id)\t\(mark)\t\(h.frequency ?? "daily")\tstreak \(h.currentStreak ?? 0) (best \(h.longestStreak ?? 0))\t\(name)")
            }
            let done = statuses.filter(\.doneToday).count
            Console.note("\(done)/\(statuses.count) done today")
        }
    }

    struct HabitCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "habit", abstract: "Check a habit in.", subcommands: [Done.self])

        struct Done: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "done",
                abstract: "Check a habit in for today (once a day; the streak moves as WorkOS moves it).")

            @OptionGroup var global: GlobalOptions
            // `.allUnrecognized`: "-1" arrives as a value, so the message can say what is wrong with it.
            @Argument(parsing: .allUnrecognized, help: "The habit's id or name (a unique part of it will do).")
            var habit: [String] = []
            @Option(help: "A note kept with the check-in.") var note: String?
            @Flag(help: "Print WorkOS's `life_complete_habit` answer as JSON.") var json = false

            /// The habit as typed: an id (checked like a task id) or a name, its words joined.
            func habitText() throws -> String {
                if let option = habit.first(where: { $0.hasPrefix("-") && Double($0) == nil }) {
                    throw ValidationError("Unknown option '\(option)'.")
                }
                guard !habit.isEmpty else { throw ValidationError("Missing the habit: its id or name.") }
                let text = habit.joined(separator: " ")
                let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
                if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    return String(try IDArgument.value(text, what: "habit id"))
                }
                return text
            }

            func validate() throws { _ = try habitText() }

            func run() async throws {
                let workspace = try await global.existingWorkspace()
                let habits = try await workspace.cache.read { db in try CacheRows.habits(db) }
                let found = try HabitStatus.resolve(try habitText(), among: habits)
                let today = LocalDay(Date()).description
                let pretty = isatty(STDOUT_FILENO) == 1
                let receipt: WriteReceipt<CheckInHabit>
                do {
                    guard let made = try await WritePipeline(workspace: workspace).perform(CheckInHabit.Intent(habitID: found.id, note: note)) else {
                        return
                    }
                    receipt = made
                } catch let done as HabitAlreadyDone {
                    await workspace.primary?.close()
                    let h = done.habit
                    if json {
                        Console.json(JSONOutput.string(HabitJSON.alreadyDone(h, today: today), pretty: pretty))
                    } else {
                        Console.out("Already done today: \(h.id) “\(TextSafety.sanitize(h.name))”, streak \(h.currentStreak ?? 0) (best \(h.longestStreak ?? 0))")
                    }
                    return
                }
                await workspace.primary?.close()
                let h = receipt.result.habit
                if json {
                    let object = receipt.result.wrote ? HabitJSON.checkIn(receipt, note: note, today: today) : HabitJSON.alreadyDone(h, today: today)
                    Console.json(JSONOutput.string(object, pretty: pretty))
                } else {
                    let name = "\(h.id) “\(TextSafety.sanitize(h.name))”"
                    let streak = "streak \(h.currentStreak ?? 0) (best \(h.longestStreak ?? 0))"
                    if !receipt.result.wrote {
                        Console.out("Already done today: \(name), \(streak)")
                    } else {
                        Console.out("Checked in \(name): \(streak)\(receipt.isQueued ? " (pending)" : "")")
                    }
                }
                if case .queued(let reason) = receipt.state {
                    let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
                    Console.error("\(cause); the check-in is kept and sent on the next sync.")
                }
            }
        }
    }
}
