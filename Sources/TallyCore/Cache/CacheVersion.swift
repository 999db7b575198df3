import Foundation
import GRDB
import GRDBSQLite

/// What the cache file holds, as far as the file system and SQLite's own headers tell, without
/// reading a table: two equal versions mean no program committed in between (see
/// docs/ARCHITECTURE.md, "Counts kept beside the cache").
///
/// Made of:
/// - the file's identity, size and modification time (`stat`): a file swapped in, or a
///   checkpoint that wrote the file, changes them;
/// - the change counter and page count of the database header, read through SQLite's own file
///   handle: a commit in rollback-journal mode bumps the counter;
/// - in WAL mode, the write-ahead log's frame count and salts from the header of its index
///   (`-shm`), read through the connection's own mapping: every commit appends frames, and a log
///   started anew gets new salts. With no frames in the log the file alone holds the content,
///   and the index's other fields are left out (a new process rebuilds them differently).
///
/// A file system keeps modification times to a clock tick (a few milliseconds), so a version
/// read less than `settleMargin` after the file was last written might equal the version after
/// a second write in the same tick: such a version is not `settled`, and nothing is kept for it.
public struct CacheVersion: Equatable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// The file's last write, in nanoseconds since 1970.
    public var modified: Int64
    public var changeCounter: UInt32
    public var pages: UInt32
    /// Frames in the log, and its two salts; all 0 when the log holds none.
    public var walFrames: UInt32
    public var walSalt1: UInt32
    public var walSalt2: UInt32

    /// How long after its last write a file's version is taken to be its own: coarse clocks
    /// (file systems that keep whole seconds) get two seconds.
    public var settleMargin: Int64 {
        modified % 1_000_000_000 == 0 ? 2_000_000_000 : 20_000_000
    }

    /// Whether any later commit shows in a later version: always while the log holds frames (a
    /// commit adds frames, a log started anew has new salts, and emptying it leaves none); with
    /// none, only once the file's last write is `settleMargin` behind `readAt`.
    public func isSettled(readAt: Date) -> Bool {
        walFrames > 0 || Self.nanoseconds(readAt) - modified >= settleMargin
    }

    public var description: String {
        [device, inode, UInt64(bitPattern: size), UInt64(bitPattern: modified), UInt64(changeCounter), UInt64(pages),
         UInt64(walFrames), UInt64(walSalt1), UInt64(walSalt2)].map(String.init).joined(separator: " ")
    }

    public init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changeCounter: UInt32, pages: UInt32,
                walFrames: UInt32, walSalt1: UInt32, walSalt2: UInt32) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changeCounter = changeCounter
        self.pages = pages
        self.walFrames = walFrames
        self.walSalt1 = walSalt1
        self.walSalt2 = walSalt2
    }

    /// The inverse of `description`.
    public init?(_ text: Substring) {
        let fields = text.split(separator: " ")
        guard fields.count == 9 else { return nil }
        let numbers = fields.compactMap { UInt64($0) }
        guard numbers.count == 9, numbers[4...].allSatisfy({ $0 <= UInt64(UInt32.max) }) else { return nil }
        self.init(device: numbers[0], inode: numbers[1], size: Int64(bitPattern: numbers[2]),
                  modified: Int64(bitPattern: numbers[3]), changeCounter: UInt32(numbers[4]), pages: UInt32(numbers[5]),
                  walFrames: UInt32(numbers[6]), walSalt1: UInt32(numbers[7]), walSalt2: UInt32(numbers[8]))
    }

    /// The version of the file `db` has open at `path`; nil when it cannot be told (no file, a
    /// log whose index cannot be read, or a log with frames in a file opened as immutable).
    public static func read(path: String, _ db: Database) -> CacheVersion? {
        guard let connection = db.sqliteConnection, let file = mainFile(connection),
              let fileStatus = status(path) else { return nil }
        var header = [UInt8](repeating: 0, count: 100)
        guard let methods = file.pointee.pMethods, let read = methods.pointee.xRead,
              header.withUnsafeMutableBytes({ read(file, $0.baseAddress, 100, 0) }) == SQLITE_OK else { return nil }
        var version = CacheVersion(
            device: UInt64(fileStatus.st_dev), inode: UInt64(fileStatus.st_ino), size: Int64(fileStatus.st_size),
            modified: Int64(fileStatus.st_mtim.tv_sec) * 1_000_000_000 + Int64(fileStatus.st_mtim.tv_nsec),
            changeCounter: bigEndian(header, 24), pages: bigEndian(header, 28), walFrames: 0, walSalt1: 0, walSalt2: 0)
        // Bytes 18 and 19 are 2 in WAL mode.
        guard header[18] == 2 else { return version }
        if let index = walIndexHeader(file) {
            version.walFrames = index.frames
            if index.frames > 0 { (version.walSalt1, version.walSalt2) = (index.salt1, index.salt2) }
        } else if let log = status(path + "-wal"), log.st_size > 0 {
            return nil
        }
        return version
    }

    static func nanoseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000_000).rounded())
    }

    private static func status(_ path: String) -> stat? {
        var result = stat()
        return stat(path, &result) == 0 ? result : nil
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func mainFile(_ connection: OpaquePointer) -> UnsafeMutablePointer<sqlite3_file>? {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(connection, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK else { return nil }
        return file
    }

    /// mxFrame and the salts from the header of the log's index.
    private static func walIndexHeader(_ file: UnsafeMutablePointer<sqlite3_file>) -> (frames: UInt32, salt1: UInt32, salt2: UInt32)? {
        guard let header = WALIndexHeader(file) else { return nil }
        return (header.word(at: 16), header.word(at: 32), header.word(at: 36))
    }
}

/// The header of a WAL database's log index (`<cache>-shm`), read through the connection's own
/// mapping of it (SQLite's VFS `xShmMap`), never through a descriptor of ours: closing any
/// descriptor of a file drops every POSIX lock this process holds on it, SQLite's included, and
/// another connection that then finds the index unlocked truncates it under this process's
/// mapping. The header is two copies of 48 bytes, written second copy first; a copy caught
/// mid-write differs from the other and is read again.
///
/// Its words, in native byte order: iVersion (3007000), unused, iChange (8: commits published),
/// isInit (12) and the page size, mxFrame (16: frames in the log), nPage, two frame checksums,
/// the log's two salts (32, 36), two header checksums.
struct WALIndexHeader {
    private let bytes: [UInt8]

    init?(_ connection: OpaquePointer) {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(connection, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK, let file else { return nil }
        self.init(file)
    }

    init?(_ file: UnsafeMutablePointer<sqlite3_file>) {
        guard let methods = file.pointee.pMethods, methods.pointee.iVersion >= 2, let map = methods.pointee.xShmMap else { return nil }
        var region: UnsafeMutableRawPointer?
        guard map(file, 0, 32768, 0, &region) == SQLITE_OK, let region else { return nil }
        var header = [UInt8](repeating: 0, count: 96)
        for _ in 0..<3 {
            header.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: region, count: 96)) }
            let layout = header.withUnsafeBytes { $0.load(fromByteOffset: 0, as: UInt32.self) }
            guard layout == 3_007_000, header[12] == 1 else { return nil }
            if header[0..<48] == header[48..<96] {
                bytes = Array(header[0..<48])
                return
            }
        }
        return nil
    }

    func word(at offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { $0.load(fromByteOffset: offset, as: UInt32.self) }
    }
}
