import Foundation

/// `tally primary seed-demo`: fills a primary with demo data, on either kind of primary, only
/// where that loses nothing a person made (`DemoSeal`) unless told to replace everything.
public struct DemoSeeder: Sendable {
    public let location: PrimaryLocation

    public init(location: PrimaryLocation) { self.location = location }

    /// What the primary holds now; nothing is created or changed (a missing SQLite file is empty).
    public func inventory() async throws -> PrimaryInventory {
        switch location {
        case .sqlite(let path):
            return try SQLitePrimary.inventory(path: path)
        case .postgres(let url):
            let primary = PostgresPrimary(url: url)
            do {
                let inventory = try await primary.inventory()
                await primary.close()
                return inventory
            } catch {
                await primary.close()
                throw FailureClassifier.classify(error, primary: primary.displayName)
            }
        }
    }

    /// Replaces the demo tables' rows with `data`; refuses (before writing anything) a primary
    /// holding anything but an earlier demo's rows unless `replacingEverything`.
    public func seed(_ data: DemoData, replacingEverything: Bool) async throws {
        switch location {
        case .sqlite(let path):
            // Looked at read-only first: opening the file as a primary already writes to it.
            if !replacingEverything, case .foreign(let reasons) = try SQLitePrimary.inventory(path: path).verdict {
                throw DemoSeal.refusal(location.description, reasons: reasons)
            }
            let primary = try SQLitePrimary(path: path, create: !FileManager.default.fileExists(atPath: path))
            defer { try? primary.pool.close() }
            try primary.seedDemo(data, replacingEverything: replacingEverything)
        case .postgres(let url):
            let primary = PostgresPrimary(url: url)
            do {
                try await primary.seedDemo(data, replacingEverything: replacingEverything)
                await primary.close()
            } catch {
                await primary.close()
                if error is TallyError { throw error }
                throw FailureClassifier.classify(error, primary: primary.displayName)
            }
        }
    }

    /// A few words on what the primary holds, for the question before a seed.
    public static func describe(_ inventory: PrimaryInventory) -> String {
        switch inventory.verdict {
        case .empty:
            return "it holds no data"
        case .earlierDemo:
            let rows = DemoSeal.demoTables.compactMap { table in inventory.rows[table].map { "\($0.count) \(table)" } }
            return "it holds an earlier demo (\(rows.joined(separator: ", ")))"
        case .foreign(let reasons):
            return "it holds " + reasons.joined(separator: " and ")
        }
    }
}
