import Foundation

/// Wakes the dashboard as soon as the cache file or its log is written, through inotify.
///
/// A commit in WAL mode appends frames to `<cache>-wal`; in rollback mode it writes the file
/// itself. The notifier watches the directory that holds the cache (not the files): the `-wal`
/// is created and removed as connections come and go, and a file deleted and made anew or
/// renamed over the cache has a new inode, which a watch on the old file would never see. Its
/// descriptor becomes readable on such an event; the loop sleeps in `poll` on it beside the
/// keyboard, so nothing spins. Events are hints, not commits: the frames are written before the
/// commit is published (in the `-shm`, whose writes raise no event), so the caller still asks
/// `PRAGMA data_version` (`ChangeWatcher`) and looks again moments later when it has not moved.
///
/// Absent on systems without inotify, when the directory cannot be watched, or with
/// `TALLY_INOTIFY=0`; the `data_version` poll is then the only way changes are seen.
public final class FileChangeNotifier {
    /// Readable when something happened to the cache's files.
    public let fileDescriptor: Int32
    /// The names in the watched directory that concern the cache: the file, its log, its
    /// shared-memory index and its rollback journal.
    private let names: Set<String>

    /// nil when inotify is turned off (`TALLY_INOTIFY=0`), absent, or cannot watch the
    /// directory of `path`.
    public init?(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let setting = environment["TALLY_INOTIFY"], ["0", "off", "false", "no"].contains(setting.lowercased()) {
            return nil
        }
        let file = URL(fileURLWithPath: FileSafety.expand(path)).standardizedFileURL
        let base = file.lastPathComponent
        names = [base, base + "-wal", base + "-shm", base + "-journal"]
        let descriptor = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        // IN_MODIFY: a write or truncation (a commit, a checkpoint); the others: a file of the
        // cache's made, removed or renamed (a new `-wal`, a cache replaced).
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM)
        guard inotify_add_watch(descriptor, file.deletingLastPathComponent().path, mask) >= 0 else {
            close(descriptor)
            return nil
        }
        fileDescriptor = descriptor
    }

    deinit { close(fileDescriptor) }

    /// Reads every event waiting; true when one concerned the cache's files (or the kernel's
    /// queue overflowed, so some may have been lost).
    public func drain() -> Bool {
        var concerned = false
        let size = 4096
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(fileDescriptor, buffer, size)
            guard count > 0 else { break }
            var offset = 0
            // struct inotify_event: int wd; uint32 mask, cookie, len; char name[len].
            while offset + 16 <= count {
                let mask = buffer.load(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(buffer.load(fromByteOffset: offset + 12, as: UInt32.self))
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    concerned = true
                } else if !concerned, length > 0 {
                    let name = buffer.advanced(by: offset + 16).assumingMemoryBound(to: CChar.self)
                    if names.contains(String(cString: name)) { concerned = true }
                }
                offset += 16 + length
            }
        }
        return concerned
    }
}
