import Foundation

/// Figures kept in a small file of Tally's own beside the cache, with the `CacheVersion` of the
/// content they describe (`KeptCounts`, `KeptDigests`). The file is written whole (a new file
/// renamed over the old): a reader sees the old figures or the new, never part of either. A
/// missing, unreadable or foreign file, or one kept for another version, is no file, and the
/// figures are read from the cache itself; failing to write one only means that.
protocol KeptBesideCache {
    /// What the file's name adds to the cache's (`.tally-counts`).
    static var suffix: String { get }
    var version: CacheVersion { get }
    var text: String { get }
    init?(text: String)
}

extension KeptBesideCache {
    /// The file beside the cache at `cachePath`.
    static func path(for cachePath: String) -> String { cachePath + suffix }

    /// What is kept beside the cache at `cachePath` when it describes `version`.
    static func read(cachePath: String, matching version: CacheVersion) -> Self? {
        guard let data = FileManager.default.contents(atPath: path(for: cachePath)),
              let kept = Self(text: String(decoding: data, as: UTF8.self)), kept.version == version else { return nil }
        return kept
    }

    /// Writes the file whole.
    func write(cachePath: String) {
        FileSafety.replacePrivately(Self.path(for: cachePath), with: text)
    }
}
