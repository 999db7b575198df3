import ArgumentParser
import Foundation
import TallyCLI
import TallyCore

/// `tally habits` lists habits with whether each is done today; `tally habit done` checks one in,
/// written through as the dashboard's `Space` in the habits pane is.
extension Tally {
    struct Habits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the active habits with their streaks and whether each is done today.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON in WorkOS's shape (indented on a terminal, one line in a pipe).")
        var json = false

        func run() async throws {
            let workspace = try await global.existingWorkspace()
            let statuses = try await HabitStatus.read(workspace.cache)
            if json {
                print(JSONOutput.string(statuses.map { HabitJSON.habit($0) }, pretty: isatty(STDOUT_FILENO) == 1))
                return
            }
            for status in statuses {
                let h = status.habit
                let name = TextSafety.sanitize(h.name)
                let mark = status.doneToday ? "✓" : "·"
                print("\(h.id)\t\(mark)\t\(h.frequency ?? "daily")\tstreak \(h.currentStreak ?? 0) (best \(h.longestStreak ?? 0))\t\(name)")
            }
            let done = statuses.filter(\.doneToday).count
            FileHandle.standardError.write(Data("\(done)/\(statuses.count) done today\n".utf8))
        }
    }

    struct HabitCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "habit", abstract: "Check a habit in.", subcommands: [Done.self])

        struct Done: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check a habit in for today (once a day; the streak moves as WorkOS moves it).")

            @OptionGroup var global: GlobalOptions
            @Argument(help: "The habit's id or name (a unique part of it will do).") var habit: String
            @Option(help: "A note kept with the check-in.") var note: String?
            @Flag(help: "Print WorkOS's `life_complete_habit` answer as JSON.") var json = false

            func run() async throws {
                let workspace = try await global.existingWorkspace()
                let habits = try await workspace.cache.read { db in try CacheRows.habits(db) }
                let found = try HabitStatus.resolve(habit, among: habits)
                let today = LocalDay(Date()).description
                let pretty = isatty(STDOUT_FILENO) == 1
                let receipt: WriteReceipt<CheckInHabit>?
                do {
                    receipt = try await WritePipeline(workspace: workspace).perform(CheckInHabit.Intent(habitID: found.id, note: note))
                } catch let done as HabitAlreadyDone {
                    receipt = nil
                    let h = done.habit
                    if json {
                        print(JSONOutput.string(HabitJSON.alreadyDone(h, today: today), pretty: pretty))
                    } else {
                        print("Already done today: \(h.id) “\(TextSafety.sanitize(h.name))”, streak \(h.currentStreak ?? 0) (best \(h.longestStreak ?? 0))")
                    }
                }
                await workspace.primary?.close()
                guard let receipt else { return }
                let h = receipt.result.habit
                if json {
                    let object = receipt.result.wrote ? HabitJSON.checkIn(receipt, note: note, today: today) : HabitJSON.alreadyDone(h, today: today)
                    print(JSONOutput.string(object, pretty: pretty))
                } else {
                    let name = "\(h.id) “\(TextSafety.sanitize(h.name))”"
                    let streak = "streak \(h.currentStreak ?? 0) (best \(h.longestStreak ?? 0))"
                    if !receipt.result.wrote {
                        print("Already done today: \(name), \(streak)")
                    } else {
                        print("Checked in \(name): \(streak)\(receipt.isQueued ? " (pending)" : "")")
                    }
                }
                if case .queued(let reason) = receipt.state {
                    let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
                    FileHandle.standardError.write(Data("tally: \(cause); the check-in is kept and sent on the next sync.\n".utf8))
                }
            }
        }
    }
}
