import Foundation
import GRDB

/// The cache's id digests (the count and sum of the ids above 0 of each table an incremental
/// sync compares, as `CacheRows.idDigest` reads them), kept in a small file beside the cache
/// (`<cache>.tally-digests`) with the `CacheVersion` of the content they describe. An
/// incremental sync whose cache still has that version takes them from the file instead of
/// scanning its tables (10 ms of 100,000 tasks on a slow machine); any commit since, by any
/// program, changes the version and the sync scans (see docs/ARCHITECTURE.md, "Sync jobs", the
/// cache's digests kept between syncs).
///
/// Like `KeptCounts`, the file is Tally's own and written whole (`KeptBesideCache`); a missing,
/// unreadable or foreign file is no file, and the sync scans.
public struct KeptDigests: KeptBesideCache, Equatable, Sendable {
    public var version: CacheVersion
    public var digests: [Namespace: IDDigest]

    static let heading = "tally kept digests 1"
    static let suffix = ".tally-digests"

    /// What a sync ended with that may be kept (`CacheStore.keepDigests`): the digests the cache
    /// and the primary agreed on, and the writer connection's `data_version` read before the job
    /// took its snapshot of the cache. The digests describe the cache only if no other
    /// connection committed since, which that number tells.
    public struct Pending: Equatable, Sendable {
        public var dataVersion: Int64
        public var digests: [Namespace: IDDigest]

        public init(dataVersion: Int64, digests: [Namespace: IDDigest]) {
            self.dataVersion = dataVersion
            self.digests = digests
        }
    }

    public init(version: CacheVersion, digests: [Namespace: IDDigest]) {
        self.version = version
        self.digests = digests
    }

    var text: String {
        var lines = [Self.heading, "version \(version)"]
        for namespace in Namespace.allCases {
            guard let digest = digests[namespace] else { continue }
            lines.append("digest \(namespace.rawValue) \(digest.count) \(digest.sum)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    init?(text: String) {
        var lines = text.split(separator: "\n")[...]
        guard lines.popFirst() == Substring(Self.heading),
              let versionLine = lines.popFirst(), versionLine.hasPrefix("version "),
              let version = CacheVersion(versionLine.dropFirst("version ".count)) else { return nil }
        var digests: [Namespace: IDDigest] = [:]
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count == 4, fields[0] == "digest", let namespace = Namespace(rawValue: String(fields[1])),
                  digests[namespace] == nil, let count = Int64(fields[2]), count >= 0, let sum = Int64(fields[3])
            else { return nil }
            digests[namespace] = IDDigest(count: count, sum: sum)
        }
        self.init(version: version, digests: digests)
    }
}

extension CacheStore {
    /// Keeps `pending` beside the cache for the next sync, when they still describe it: no
    /// other connection has committed since the job took its snapshot. Returns whether it did.
    ///
    /// The version is read first and `data_version` after it: a commit by another connection
    /// between the two shows in the second. Right after a job the log holds its frames, so the
    /// version is settled (any later commit adds frames or starts the log anew); a program that
    /// empties the log into the file meanwhile changes it too, and the next sync scans.
    @discardableResult
    public func keepDigests(_ pending: KeptDigests.Pending) async -> Bool {
        guard !isReadOnly, !pending.digests.isEmpty else { return false }
        let path = self.path
        let kept: KeptDigests? = try? await writeWithoutTransaction { db -> KeptDigests? in
            guard let version = CacheVersion.read(path: path, db), version.isSettled(readAt: Date()),
                  try Int64.fetchOne(db, sql: "PRAGMA data_version") == pending.dataVersion else { return nil }
            return KeptDigests(version: version, digests: pending.digests)
        }
        guard let kept else { return false }
        kept.write(cachePath: path)
        return true
    }
}
