import Foundation
import Synchronization
import TallyCore

/// Answers that read many rows (every open task ranked by energy, on 100,000 tasks a few
/// tens of milliseconds), kept until the cache changes: any commit to the file moves `PRAGMA
/// data_version` on the watcher's own connection (`ChangeWatcher`), which drops them all, as does
/// a file opened anew. The mark is taken before a read, so an answer kept under a mark is never
/// older than the file at that mark. When the watcher cannot look, nothing is kept.
final class KeptAnswers: Sendable {
    private struct State {
        var watcher: ChangeWatcher?
        var generation = 0
        var mark: ChangeWatcher.Mark?
        var answers: [String: any Sendable] = [:]
    }

    private let cache: CacheStore
    private let state = Mutex(State())

    init(cache: CacheStore) {
        self.cache = cache
    }

    /// The answer kept under `key`, or `read()`'s, kept for the next call while nothing changes.
    func answer<T: Sendable>(_ key: String, _ read: () throws -> T) throws -> T {
        let cache = self.cache
        let (current, kept) = state.withLock { state -> (ChangeWatcher.Mark?, T?) in
            let now = Self.currentMark(&state, cache)
            if now == nil || now != state.mark { state.answers = [:] }
            state.mark = now
            return (now, now == nil ? nil : state.answers[key] as? T)
        }
        if let kept { return kept }
        let value = try read()
        if let current {
            state.withLock { state in if state.mark == current { state.answers[key] = value } }
        }
        return value
    }

    /// The file's mark now, on the watcher's connection (opened anew for a new file).
    private static func currentMark(_ state: inout State, _ cache: CacheStore) -> ChangeWatcher.Mark? {
        if state.watcher == nil || cache.generation != state.generation {
            state.watcher = try? ChangeWatcher(path: cache.path)
            state.generation = cache.generation
            // A new connection's marks say nothing about the old one's.
            state.answers = [:]
            state.mark = nil
        }
        guard let mark = try? state.watcher?.mark() else {
            state.watcher = nil
            return nil
        }
        return mark
    }
}
