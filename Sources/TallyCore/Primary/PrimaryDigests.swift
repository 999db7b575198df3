import Foundation
import GRDB

/// A primary that can say which database it is and summarise its tables by digests, so that
/// `CacheVerifier` finds where the cache differs without reading the tables
/// (docs/ARCHITECTURE.md, "Verification").
///
/// Every method computes on the primary's side what the cache computes on its own: the canonical
/// text of each row (`RowHasher`), hashed, summed per range of ids. Rows cross only for the
/// ranges that differ.
public protocol PrimaryDigests: Sendable {
    /// Which database this is, never with a password.
    func identity() async throws -> PrimaryIdentity

    /// Where it is reached, as `PrimaryIdentity.place` records it, known without connecting.
    var place: String { get }

    /// The digests of the table's rows in `ids`, one per bucket of `width` ids (a row's bucket is
    /// `id / width`; all in bucket 0 when nil), keyed by bucket. Only rows whose bucket is in
    /// `buckets` (of width `bucketWidth`) count when given: the ranges that differed one level up.
    func digests(_ table: ComparedTable, ids: IDRange, width: Int64?, within buckets: [Int64]?,
                 bucketWidth: Int64?) async throws -> [Int64: RangeDigest]

    /// Each row's id and hash, for rows in the given buckets of `bucketWidth` ids.
    func rowHashes(_ table: ComparedTable, buckets: [Int64], bucketWidth: Int64) async throws -> [Int64: RowHash]

    /// Rows in the cache's representation and `table.columns` order, by id from `after`
    /// (exclusive) up to `ids.upper`, at most `limit`; a table compared whole gives all its rows.
    func rows(_ table: ComparedTable, ids: IDRange, after: Int64?, limit: Int) async throws -> [[DatabaseValue]]

    /// The rows with these ids, among the table's rows.
    func rows(_ table: ComparedTable, withIDs ids: [Int64]) async throws -> [[DatabaseValue]]

    /// Of these ids, those the primary has at all, each with whether it belongs to the table's
    /// rows now (false: it left the scope).
    func presence(_ table: ComparedTable, of ids: [Int64]) async throws -> [Int64: Bool]
}

/// Which database filled the cache: a fingerprint compared at every sync, and a name to show.
public struct PrimaryIdentity: Codable, Equatable, Sendable {
    /// What tells databases apart: PostgreSQL's system identifier and the database's name and oid
    /// (or, where the system identifier is refused, the host, port and name); a SQLite file's
    /// device and inode. Never a password.
    public var fingerprint: String
    /// The primary as Tally shows it (its password masked).
    public var name: String
    /// Where it was reached: host, port and database (`db.example.com:5432/workos`), or the
    /// file's path. The same database reached another way is verified whole rather than
    /// refilled; `tally status` compares it with the configured primary without connecting.
    public var place: String

    public init(fingerprint: String, name: String, place: String) {
        self.fingerprint = fingerprint
        self.name = name
        self.place = place
    }

    /// The place of a configured primary, as `place` records it.
    public static func place(of location: PrimaryLocation) -> String {
        switch location {
        case .postgres(let url): return "\(PostgresPrimary.endpointHost(url.host)):\(url.port)/\(url.database)"
        case .sqlite(let path): return path
        }
    }
}
