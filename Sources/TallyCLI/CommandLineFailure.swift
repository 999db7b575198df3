import ArgumentParser
import Foundation
import TallyCore

/// The version both executables report.
public enum TallyVersion {
    public static let current = "0.1.0"
}

/// Every way out of a command on error: one line on stderr (cleaned and masked by `Console`), the
/// right exit code.
public enum CommandLineFailure {
    public static func exit<Command: ParsableCommand>(_ error: any Error, _ command: Command.Type,
                                                     usageHint: (() -> String)? = nil) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        if let error = error as? TallyError { fail(error.userMessage, code: error.exitStatus) }
        if error is ClassifiedFailure { fail(error.userMessage, code: 1) }
        let code = Command.exitCode(for: error)
        if code == .success { Command.exit(withError: error) }  // --help, --version
        var message = Command.fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        if message.hasPrefix("Error: ") { message.removeFirst(7) }
        // A mistyped command line: point at the help of the command that was typed.
        if code == .validationFailure, let usageHint {
            if message.hasSuffix(".") { message.removeLast() }
            message += " (see `\(usageHint())`)"
        }
        fail(message, code: code.rawValue)
    }

    public static func fail(_ message: String, code: Int32) -> Never {
        Console.error(message)
        Foundation.exit(code)
    }
}
