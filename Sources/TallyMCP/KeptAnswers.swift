import Foundation
import TallyCore

/// Answers that read many rows (every open task ranked by energy, on 100,000 tasks a few
/// tens of milliseconds), kept until the cache changes: any commit to the file moves `PRAGMA
/// data_version` on the watcher's own connection (`ChangeWatcher`), which drops them all, as does
/// a file opened anew. The mark is taken before a read, so an answer kept under a mark is never
/// older than the file at that mark. When the watcher cannot look, nothing is kept.
final class KeptAnswers: @unchecked Sendable {
    private let cache: CacheStore
    private let lock = NSLock()
    // Guarded by `lock`.
    private var watcher: ChangeWatcher?
    private var generation = 0
    private var mark: ChangeWatcher.Mark?
    private var answers: [String: any Sendable] = [:]

    init(cache: CacheStore) {
        self.cache = cache
    }

    /// The answer kept under `key`, or `read()`'s, kept for the next call while nothing changes.
    func answer<T: Sendable>(_ key: String, _ read: () throws -> T) throws -> T {
        let current = lock.withLock { () -> ChangeWatcher.Mark? in
            let now = currentMark()
            if now == nil || now != mark { answers = [:] }
            mark = now
            return now
        }
        if current != nil, let kept = lock.withLock({ answers[key] as? T }) { return kept }
        let value = try read()
        if let current {
            lock.withLock { if mark == current { answers[key] = value } }
        }
        return value
    }

    /// Called with `lock` held.
    private func currentMark() -> ChangeWatcher.Mark? {
        if watcher == nil || cache.generation != generation {
            watcher = try? ChangeWatcher(path: cache.path)
            generation = cache.generation
            // A new connection's marks say nothing about the old one's.
            answers = [:]
            mark = nil
        }
        guard let mark = try? watcher?.mark() else {
            watcher = nil
            return nil
        }
        return mark
    }
}
