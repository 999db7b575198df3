import Foundation
import GRDB

/// What deciding a write needs: the cache as it is now (and the primary for a row the cache
/// lacks), the clock, the day's time zone and the settings.
public struct WriteContext: Sendable {
    public let workspace: Workspace
    public let clock: any TallyClock
    public let timeZone: TimeZone

    public init(workspace: Workspace, clock: any TallyClock = SystemClock(), timeZone: TimeZone = .current) {
        self.workspace = workspace
        self.clock = clock
        self.timeZone = timeZone
    }

    public var cache: CacheStore { workspace.cache }
    public var config: Config { workspace.config }
    public var now: Date { clock.now }
    public var today: LocalDay { LocalDay(now, in: timeZone) }

    /// A new write's key.
    public static func newKey() -> String { UUID().uuidString.lowercased() }

    /// Reads the cache once another program's rewrite of it has settled: a table it is
    /// rewriting (a DELETE, then its rows) shows a task missing for a moment.
    public func read<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        await cache.courtesy.waitForQuiet(clock: clock)
        return try await cache.read(block)
    }

    /// The task as the cache holds it, or as the primary does when the cache lacks it.
    public func task(_ id: Int64) async throws -> WorkTask {
        if let task = try await read({ db in try CacheRows.task(id, db) }) { return task }
        if let primary = workspace.primary, let task = try? await primary.task(id: id) { return task }
        throw TallyError.unknownTask(id)
    }

    /// The habit as the cache holds it, or as the primary does when the cache lacks it.
    public func habit(_ id: Int64) async throws -> Habit {
        if let habit = try await read({ db in try CacheRows.habit(id, db) }) { return habit }
        if let primary = workspace.primary, let habit = try? await primary.habit(id: id) { return habit }
        throw TallyError.badArgument("There is no habit \(id).")
    }

    /// Refuses a client id the cache does not know.
    public func checkClient(_ id: Int64) async throws {
        guard try await cache.read({ db in try CacheRows.hasClient(id, db) }) else {
            throw TallyError.badArgument("There is no client \(id).")
        }
    }
}
