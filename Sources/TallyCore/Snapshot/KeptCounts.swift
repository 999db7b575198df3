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
public struct KeptCounts: Equatable, Sendable {
    public var version: CacheVersion
    public var tables: [Namespace: Int]
    var open: OpenCounts

    static let heading = "tally kept counts 1"

    /// The file beside the cache at `cachePath`.
    public static func path(for cachePath: String) -> String { cachePath + ".tally-counts" }

    /// The counts kept beside the cache at `cachePath` when they were counted at `version`.
    static func read(cachePath: String, matching version: CacheVersion) -> KeptCounts? {
        guard let data = FileManager.default.contents(atPath: path(for: cachePath)),
              let kept = KeptCounts(text: String(decoding: data, as: UTF8.self)), kept.version == version else { return nil }
        return kept
    }

    /// Writes the file whole. Failing to (a directory Tally may not write) only means the next
    /// frame counts: nothing is lost, so nothing is reported.
    func write(cachePath: String) {
        let target = Self.path(for: cachePath)
        let temporary = target + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        unlink(temporary)
        // A new file of our own (never one a symlink points to), mode 0600, then renamed over
        // the old one (rename replaces a symlink itself, never what it points to).
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, target) == 0 else {
            unlink(temporary)
            return
        }
    }

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

    init?(text: String) {
        var lines = text.split(separator: "\n")[...]
        guard lines.popFirst() == Substring(Self.heading), let versionLine = lines.popFirst(),
              versionLine.hasPrefix("version "), let version = CacheVersion(versionLine.dropFirst("version ".count)) else { return nil }
        var tables: [Namespace: Int] = [:]
        var open = OpenCounts()
        for status in OpenCounts.statuses { open.counts[status] = [:] }
        for line in lines {
            let fields = line.split(separator: " ")
            switch (fields.first, fields.count) {
            case ("table", 3):
                guard let namespace = Namespace(rawValue: String(fields[1])), let count = Int(fields[2]), count >= 0 else { return nil }
                tables[namespace] = count
            case ("open", 4):
                let status = String(fields[1])
                guard OpenCounts.statuses.contains(status), let count = Int(fields[3]), count >= 0 else { return nil }
                let client: Int64? = fields[2] == "-" ? nil : Int64(fields[2])
                guard client != nil || fields[2] == "-" else { return nil }
                open.counts[status, default: [:]][client] = count
            default:
                return nil
            }
        }
        guard tables.count == Namespace.allCases.count else { return nil }
        self.init(version: version, tables: tables, open: open)
    }
}
