import Foundation

/// A failure classified for retry decisions and for the failures view.
public struct ClassifiedFailure: Error, Sendable {
    public var type: SyncFailure.ErrorType
    /// What a person reads; never a credential.
    public var message: String
    /// The error behind the message in a few words (`connection refused by db:5432`, a
    /// server's own message and SQLSTATE), for the failures view; empty when the message says
    /// it all.
    public var cause: String
    /// Technical detail for the log only (an error's whole description), credentials masked.
    public var detail: String
    /// Seconds the server asked us to wait, if it did.
    public var retryAfter: Double?

    public init(type: SyncFailure.ErrorType, message: String, cause: String = "", detail: String = "",
                retryAfter: Double? = nil) {
        self.type = type
        self.message = message
        self.cause = cause
        self.detail = detail
        self.retryAfter = retryAfter
    }
}

/// The CLI and the dashboard show only the message; the detail stays in the log and failure rows.
extension ClassifiedFailure: LocalizedError {
    public var errorDescription: String? { message }
}

/// Errors a primary can describe in the terms of a failure row.
public protocol FailureClassifying: Error {
    func classified(primary: String) -> ClassifiedFailure
}

public enum FailureClassifier {
    /// Turns any error thrown while talking to a primary into a classified failure.
    public static func classify(_ error: any Error, primary: String) -> ClassifiedFailure {
        if let classified = error as? ClassifiedFailure { return classified }
        if let known = error as? any FailureClassifying { return known.classified(primary: primary) }
        if let tally = error as? TallyError {
            let message = tally.userMessage
            switch tally {
            case .primaryUnreachable: return ClassifiedFailure(type: .network, message: message, detail: message)
            case .primaryAuth: return ClassifiedFailure(type: .auth, message: message, detail: message)
            case .primarySchema: return ClassifiedFailure(type: .schema, message: message, detail: message)
            case .conflict: return ClassifiedFailure(type: .conflict, message: message, detail: message)
            default: return ClassifiedFailure(type: .internal, message: message, detail: message)
            }
        }
        if error is CancellationError {
            return ClassifiedFailure(type: .internal, message: "The sync was cancelled.", detail: "cancelled")
        }
        let text = PrimaryLocation.mask(String(describing: error))
        let short = text.count > 200 ? String(text.prefix(200)) + "…" : text
        return ClassifiedFailure(type: .internal, message: "Unexpected error from \(primary): \(short)", detail: text)
    }
}
