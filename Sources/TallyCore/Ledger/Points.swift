import Foundation

/// How many points a completed task is worth.
///
/// `points_final` when set, else `points_ai_guess`, else by value tier:
///
/// | tier        | points |
/// |-------------|--------|
/// | checkbox    | 1      |
/// | quick-win   | 2      |
/// | progress    | 3      |
/// | deliverable | 5      |
/// | milestone   | 8      |
/// | other/none  | 2      |
public enum Points {
    public static func forTier(_ tier: String?) -> Int {
        switch tier.flatMap(ValueTier.init(rawValue:)) {
        case .checkbox: return 1
        case .quickWin: return 2
        case .progress: return 3
        case .deliverable: return 5
        case .milestone: return 8
        case nil: return 2
        }
    }

    public static func forTask(_ task: WorkTask) -> Int {
        if let final = task.pointsFinal, final >= 0 { return final }
        if let guess = task.pointsAIGuess, guess >= 0 { return guess }
        return forTier(task.valueTier)
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
