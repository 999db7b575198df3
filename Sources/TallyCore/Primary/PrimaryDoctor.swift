import Foundation
import GRDB
import PostgresNIO

/// `tally doctor`'s checks of the primary: does it answer, does it have the WorkOS tables, are
/// the push triggers of `tally primary init --push` there, and does its clock agree with this
/// machine's. Reads only.
public enum PrimaryDoctor {
    /// The tables Tally reads (WorkOS's; `tally primary init` creates them for a new database).
    static let tables = Namespace.allCases.map(\.primaryTable)

    /// Clocks further apart than this are reported: completions stamp `completed_at` with this
    /// machine's time, and the other programs stamp `updated_at` with theirs.
    static let tolerableSkew: Double = 5

    public static func check(_ location: PrimaryLocation, now: @escaping @Sendable () -> Date = Date.init) async -> [CacheDoctor.Check] {
        switch location {
        case .postgres(let url):
            let primary = PostgresPrimary(url: url, timeout: 10)
            let checks = await check(primary, now: now)
            await primary.close()
            return checks
        case .sqlite(let path):
            return checkSQLite(path: path)
        }
    }

    static func check(_ primary: PostgresPrimary, now: @escaping @Sendable () -> Date) async -> [CacheDoctor.Check] {
        let facts: PostgresPrimary.DoctorFacts
        do {
            facts = try await primary.doctorFacts(now: now)
        } catch {
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            return [CacheDoctor.Check(name: "reachable", level: .problem, detail: failure.message)]
        }
        var checks = [CacheDoctor.Check(name: "reachable", level: .ok,
                                        detail: "PostgreSQL \(facts.version), answered in \(Int((facts.roundTrip * 1000).rounded())) ms")]
        checks.append(tablesCheck(present: facts.tables))
        let push = Namespace.allCases.map { "\($0.primaryTable)_notify" }
        let missingPush = push.filter { !facts.triggers.contains($0) }
        if missingPush.isEmpty {
            checks.append(CacheDoctor.Check(name: "push", level: .ok,
                                            detail: "on: NOTIFY tally_changes makes running dashboards sync within a second"))
        } else {
            checks.append(CacheDoctor.Check(name: "push", level: .ok,
                                            detail: "off (as a WorkOS database is): dashboards see changes at their timer's sync "
                                                + "or R; `tally primary init --push` adds the NOTIFY triggers"))
        }
        checks.append(clockCheck(skew: facts.skew))
        return checks
    }

    static func tablesCheck(present: Set<String>) -> CacheDoctor.Check {
        let missing = tables.filter { !present.contains($0) }
        return missing.isEmpty
            ? CacheDoctor.Check(name: "tables", level: .ok, detail: tables.joined(separator: ", "))
            : CacheDoctor.Check(name: "tables", level: .problem,
                                detail: "missing \(missing.joined(separator: ", ")); run `tally primary init`")
    }

    /// `skew`: the primary's clock minus this machine's, in seconds.
    static func clockCheck(skew: Double) -> CacheDoctor.Check {
        let size = abs(skew) < 1 ? String(format: "%.2f s", abs(skew)) : String(format: "%.0f s", abs(skew))
        let side = skew > 0 ? "ahead of" : "behind"
        guard abs(skew) > tolerableSkew else {
            return CacheDoctor.Check(name: "clock", level: .ok, detail: "within \(size) of this machine's")
        }
        return CacheDoctor.Check(name: "clock", level: .warning,
                                 detail: "the primary is \(size) \(side) this machine: completion times and 'done today' "
                                    + "use this machine's clock")
    }

    static func checkSQLite(path: String) -> [CacheDoctor.Check] {
        let primary: SQLitePrimary
        do {
            primary = try SQLitePrimary(path: path)
        } catch {
            return [CacheDoctor.Check(name: "reachable", level: .problem, detail: error.userMessage)]
        }
        do {
            let tables = try primary.read { db -> Set<String> in
                Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
            }
            return [
                CacheDoctor.Check(name: "reachable", level: .ok, detail: "a SQLite file on this machine"),
                tablesCheck(present: tables),
                CacheDoctor.Check(name: "push", level: .ok,
                                  detail: "not needed: dashboards on this machine see the file's changes at their timer's sync"),
            ]
        } catch {
            return [CacheDoctor.Check(name: "reachable", level: .problem, detail: error.userMessage)]
        }
    }
}

extension PostgresPrimary {
    /// What `tally doctor` reads from the server, in one round trip each.
    struct DoctorFacts: Sendable {
        var version: String
        /// Seconds from sending the clock query to its answer.
        var roundTrip: Double
        /// The server's clock minus this machine's at the middle of the round trip.
        var skew: Double
        var tables: Set<String>
        var triggers: Set<String>
    }

    func doctorFacts(now: @escaping @Sendable () -> Date) async throws -> DoctorFacts {
        let log = logger
        let names = PrimaryDoctor.tables
        return try await run { connection in
            let sent = now()
            var serverTime = 0.0
            var version = ""
            for try await row in try await connection.query(
                "SELECT extract(epoch FROM now())::float8, current_setting('server_version')", logger: log) {
                (serverTime, version) = try row.decode((Double, String).self)
            }
            let received = now()
            let middle = sent.timeIntervalSince1970 + received.timeIntervalSince(sent) / 2
            var tables: Set<String> = []
            for try await row in try await connection.query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY(\(names))",
                logger: log) {
                tables.insert(try row.decode(String.self))
            }
            var triggers: Set<String> = []
            for try await row in try await connection.query(
                "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal", logger: log) {
                triggers.insert(try row.decode(String.self))
            }
            return DoctorFacts(version: version, roundTrip: received.timeIntervalSince(sent), skew: serverTime - middle,
                               tables: tables, triggers: triggers)
        }
    }
}
