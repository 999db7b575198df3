import Foundation
import Logging
import Synchronization

/// Writes log lines to `$XDG_STATE_HOME/tally/tally.log` (ncurses owns the screen, so nothing
/// is ever logged to it). Lines pass through `PrimaryLocation.mask`, so a URL with a password
/// that slips into a message is still masked.
public struct FileLogHandler: LogHandler {
    /// The log file, appended to by every Tally process of the user (`O_APPEND`, so lines from
    /// two processes never overwrite each other), and kept to `limit` bytes: past it the file
    /// becomes `tally.log.1` (replacing the one before) and a new one is started, so the log
    /// never holds more than about twice the limit.
    final class Sink: Sendable {
        private let path: String
        private let limit: Int
        /// The open file, one line written at a time from whichever thread logs.
        private let descriptor: Mutex<Int32>

        static let defaultLimit = 5 << 20

        init(path: String, limit: Int = Sink.defaultLimit) {
            self.path = path
            self.limit = limit
            let directory = (path as NSString).deletingLastPathComponent
            try? FileSafety.ensureDirectory(directory)
            var fd = Self.open(path)
            if Self.size(fd) > limit { fd = Self.rotate(fd, path) }
            descriptor = Mutex(fd)
        }

        deinit { descriptor.withLock { if $0 >= 0 { close($0) } } }

        static func open(_ path: String) -> Int32 {
            Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }

        func write(_ line: String) {
            let (path, limit) = (self.path, self.limit)
            descriptor.withLock { fd in
                guard fd >= 0 else { return }
                // A full disk or a file-size limit loses the line, not the process.
                let bytes = Array(line.utf8)
                _ = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
                if Self.size(fd) > limit { fd = Self.rotate(fd, path) }
            }
        }

        /// The size of the file `fd` writes to.
        private static func size(_ fd: Int32) -> Int {
            var info = stat()
            guard fd >= 0, fstat(fd, &info) == 0 else { return 0 }
            return Int(info.st_size)
        }

        /// Moves the full file aside (unless another process already did) and starts a new one;
        /// returns the new file's descriptor.
        private static func rotate(_ fd: Int32, _ path: String) -> Int32 {
            var mine = stat()
            var named = stat()
            if fstat(fd, &mine) == 0, lstat(path, &named) == 0, mine.st_ino == named.st_ino, mine.st_dev == named.st_dev {
                rename(path, path + ".1")
            }
            close(fd)
            return open(path)
        }
    }

    private let sink: Sink
    private let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    init(label: String, sink: Sink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let extra = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Timestamp.format(Date())) \(event.level) \(label): \(event.message)\(extra)"
        sink.write(PrimaryLocation.maskAll(TextSafety.sanitize(line)) + "\n")
    }

    /// Sends every logger of this process to `path`. Call once, before the first log.
    public static func bootstrap(path: String, level: Logger.Level = .info) {
        let sink = Sink(path: path)
        LoggingSystem.bootstrap { label in
            var handler = FileLogHandler(label: label, sink: sink)
            handler.logLevel = level
            return handler
        }
    }
}

extension PrimaryLocation {
    /// Masks every password in `text`, whatever the shape of the URL holding it (`SecretMask`).
    public static func maskAll(_ text: String) -> String {
        SecretMask.apply(text)
    }
}
