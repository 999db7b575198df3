import Foundation

/// What a dashboard left open all day gives back of its memory (see docs/ARCHITECTURE.md,
/// "Idle cost").
///
/// Most of an idle dashboard's resident memory was not data: 26 of its 46 MB (100,000 tasks)
/// were pages of the binary's code mapped while it started (the argument parser, the config's
/// TOML, the migrations, the sync engine and PostgreSQL client set up, the first snapshot), kept
/// mapped for as long as it runs though the idle loop runs a few of them; and 9 MB were glibc's
/// malloc arenas, one per thread that allocated (the history read in the background), holding
/// freed memory. So, once the dashboard idles (see `DashboardSession.relieveMemory`), the code's
/// pages are unmapped (they stay in the page cache and come back on the next call that needs
/// them), and after each burst of work (a snapshot rebuilt, a history read) the arenas' free
/// pages are returned to the system. `TALLY_MEMORY_RELIEF=0` turns both off.
enum MemoryRelief {
    static func isEnabled(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        !["0", "off", "false", "no"].contains(environment["TALLY_MEMORY_RELIEF"]?.lowercased() ?? "")
    }

    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32

    /// glibc's `malloc_trim` and `mallopt` (malloc.h is not part of Swift's Glibc module).
    private static let trimFunction: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
    private static let optionFunction: Option? = dlsym(nil, "mallopt").map { unsafeBitCast($0, to: Option.self) }

    /// At most two malloc arenas from here on: the dashboard's threads allocate little
    /// at once, and every arena keeps its own freed memory.
    static func limitArenas() {
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        _ = optionFunction?(arenaMax, 2)
    }

    /// Returns the arenas' free pages to the system.
    static func trim() {
        _ = trimFunction?(0)
    }

    /// Unmaps the pages of the executable's code this process has touched so far. Only mappings
    /// of the executable that are read-and-execute and hold no page of their own (no anonymous
    /// page: nothing a debugger patched) are dropped; they are read back from the page cache on
    /// their next use. Data, relocated pointers and libraries are never touched. (Not "no
    /// private dirty page": smaps counts the file's own pages as dirty until the kernel has
    /// written them back, so a binary copied or linked in the last half minute gave nothing
    /// back.) Returns the kilobytes unmapped.
    @discardableResult
    static func dropCodePages() -> Int {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8) else { return 0 }
        var dropped = 0
        var current: (start: UInt, end: UInt)?
        var rss = 0
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                current = nil
                guard fields.count >= 6, fields[1] == "r-xp", fields[5...].joined(separator: " ") == executable else { continue }
                let bounds = range.split(separator: "-")
                guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16) else { continue }
                current = (start, end)
            } else if let mapping = current, fields.count >= 2 {
                if fields[0] == "Rss:" { rss = Int(fields[1]) ?? 0 }
                if fields[0] == "Anonymous:" {
                    current = nil
                    guard fields[1] == "0", rss > 0 else { continue }
                    let base = UnsafeMutableRawPointer(bitPattern: mapping.start)
                    if madvise(base, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 { dropped += rss }
                }
            }
        }
        return dropped
    }
}
