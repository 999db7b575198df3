import Foundation

/// How many points a task is worth, as WorkOS computes it (`calculatePoints`):
/// `points_final` when set, else the value tier's points, else `points_ai_guess`, else
/// `effort_estimate`, else 2.
///
/// | tier        | points |
/// |-------------|--------|
/// | checkbox    | 1      |
/// | progress    | 2      |
/// | deliverable | 4      |
/// | milestone   | 7      |
///
/// WorkOS's code has no `quick-win` tier; the WorkOS design document lists one, and a task
/// carrying it is worth 2.
public enum Points {
    /// The tier's points, or nil for no tier or one WorkOS does not know.
    public static func forTier(_ tier: String?) -> Int? {
        switch tier.flatMap(ValueTier.init(rawValue:)) {
        case .checkbox: return 1
        case .quickWin: return 2
        case .progress: return 2
        case .deliverable: return 4
        case .milestone: return 7
        case nil: return nil
        }
    }

    public static func forTask(_ task: WorkTask) -> Int {
        if let final = task.pointsFinal, final >= 0 { return final }
        if let tier = forTier(task.valueTier) { return tier }
        if let guess = task.pointsAIGuess, guess >= 0 { return guess }
        if let effort = task.effortEstimate, effort >= 0 { return effort }
        return 2
    }

    /// Parses what a person typed as points: a whole number of 0 or more.
    public static func parse(_ text: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Int(trimmed), value >= 0, value <= 1000 else {
            throw TallyError.invalidPoints(text)
        }
        return value
    }
}
