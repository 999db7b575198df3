import Foundation
import GRDB

/// The counts a frame needs that grow with the table (the open tasks per status and client, the
/// rows of each contract table), kept in a small file beside the cache (`<cache>.tally-counts`)
/// with the `CacheVersion` they were counted at. A frame whose cache still has that version
/// takes them from the file instead of walking the indexes; any commit since, by any program,
/// changes the version and the frame counts again (see docs/ARCHITECTURE.md, "Counts kept
/// beside the cache").
///
/// The file is Tally's own and written whole (a new file renamed over the old): a reader sees
/// the old counts or the new, never part of either. A missing, unreadable or foreign file is
/// no file: the frame counts.
public struct KeptCounts: KeptBesideCache, Equatable, Sendable {
    public var version: CacheVersion
    public var tables: [Namespace: Int]
    var open: OpenCounts

    static let heading = "tally kept counts 1"
    static let suffix = ".tally-counts"

    /// Counts what the file keeps, in `db`'s read transaction.
    static func count(version: CacheVersion, _ db: Database) throws -> KeptCounts {
        KeptCounts(version: version, tables: try tableCounts(db), open: try OpenCounts.read(db))
    }

    /// The rows of each contract table.
    static func tableCounts(_ db: Database) throws -> [Namespace: Int] {
        var counts: [Namespace: Int] = [:]
        for namespace in Namespace.allCases {
            counts[namespace] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(namespace.cacheTable)") ?? 0
        }
        return counts
    }

    var text: String {
        var lines = [Self.heading, "version \(version)"]
        for namespace in Namespace.allCases { lines.append("table \(namespace.rawValue) \(tables[namespace] ?? 0)") }
        for status in OpenCounts.statuses {
            for (client, count) in (open.counts[status] ?? [:]).sorted(by: { ($0.key ?? -1) < ($1.key ?? -1) }) {
                lines.append("open \(status) \(client.map(String.init) ?? "-") \(count)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    init(version: CacheVersion, tables: [Namespace: Int], open: OpenCounts) {
        self.version = version
        self.tables = tables
        self.open = open
    }

    /// Parsed as bytes: split as `Character`s, a file of a hundred lines took 3 of a frame's
    /// 58 million instructions.
    init?(text: String) {
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"))[...]
        guard let heading = lines.popFirst(), heading.elementsEqual(Self.heading.utf8),
              let versionLine = lines.popFirst().map(Substring.init), versionLine.hasPrefix("version "),
              let version = CacheVersion(versionLine.dropFirst("version ".count)) else { return nil }
        var tables: [Namespace: Int] = [:]
        var byStatus: [[Int64?: Int]] = OpenCounts.statuses.map { _ in [:] }
        for line in lines {
            let fields = line.split(separator: UInt8(ascii: " "))
            if fields.count == 3, fields[0].elementsEqual("table".utf8) {
                guard let namespace = Namespace(rawValue: String(Substring(fields[1]))),
                      let count = Int(Substring(fields[2])), count >= 0 else { return nil }
                tables[namespace] = count
            } else if fields.count == 4, fields[0].elementsEqual("open".utf8) {
                guard let status = OpenCounts.statuses.firstIndex(where: { fields[1].elementsEqual($0.utf8) }),
                      let count = Int(Substring(fields[3])), count >= 0 else { return nil }
                var client: Int64?
                if !fields[2].elementsEqual("-".utf8) {
                    guard let id = Int64(Substring(fields[2])) else { return nil }
                    client = id
                }
                byStatus[status][client] = count
            } else {
                return nil
            }
        }
        guard tables.count == Namespace.allCases.count else { return nil }
        var open = OpenCounts()
        for (index, status) in OpenCounts.statuses.enumerated() { open.counts[status] = byStatus[index] }
        self.init(version: version, tables: tables, open: open)
    }
}
