import TallyCore

/// Typing: the search after `/` and the points prompt after `p`. Characters with no binding in
/// these modes are text; `Keymap` lists the keys that are not.
extension ViewState {
    /// A character typed into the field that has the keys.
    mutating func type(_ c: Character, in mode: KeyMode) -> [Effect] {
        switch mode {
        case .searchInput:
            if let draft = searchDraft { searchDraft = String((draft + String(c)).prefix(200)) }
        case .taskForm:
            guard case .taskForm(var form) = overlay else { return [] }
            form.type(c)
            overlay = .taskForm(form)
        case .pointsInput:
            guard case .points(var prompt) = overlay else { return [] }
            if c.isASCII, c.isNumber {
                if prompt.input.count >= 4 {
                    prompt.error = "At most 1000 points."
                } else {
                    prompt.input.append(c)
                    prompt.error = nil
                }
            } else if c == "-" {
                prompt.error = "Points can't be negative."
            } else {
                prompt.error = "Digits only: points are a whole number of 0 or more."
            }
            overlay = .points(prompt)
        default:
            break
        }
        return []
    }

    mutating func handleForm(_ action: Action) -> [Effect] {
        guard case .taskForm(var form) = overlay else { return [] }
        switch action {
        case .nextField: form.moveFocus(by: 1)
        case .previousField: form.moveFocus(by: -1)
        case .nextChoice: form.cycle(by: 1)
        case .previousChoice: form.cycle(by: -1)
        case .deleteBackward: form.deleteBackward()
        case .clearInput: form.clear()
        case .cancelInput:
            overlay = nil
            return []
        case .applyInput:
            guard let effect = form.save() else { break }
            overlay = nil
            // A batch edit is done with its marks.
            if case .batch = effect { marks = [] }
            return [effect]
        default: break
        }
        overlay = .taskForm(form)
        return []
    }

    mutating func handleSearch(_ action: Action, layout: DashboardLayout) -> [Effect] {
        guard let draft = searchDraft else { return [] }
        switch action {
        case .deleteBackward:
            searchDraft = String(draft.dropLast())
        case .clearInput:
            searchDraft = ""
        case .applyInput:
            searchDraft = nil
            let applied = TextSafety.sanitize(draft).trimmingCharacters(in: .whitespaces)
            guard applied != search else { return [] }
            search = applied
            return filtersChanged()
        case .cancelInput:
            searchDraft = nil
            guard !search.isEmpty else { return [] }
            search = ""
            return filtersChanged()
        default:
            break
        }
        return []
    }

    mutating func handlePoints(_ action: Action) -> [Effect] {
        guard case .points(var prompt) = overlay else { return [] }
        switch action {
        case .deleteBackward:
            prompt.input = String(prompt.input.dropLast())
            prompt.error = nil
        case .clearInput:
            prompt.input = ""
            prompt.error = nil
        case .cancelInput:
            overlay = nil
            return []
        case .applyInput:
            if prompt.input.isEmpty {
                overlay = nil
                return [.complete(taskID: prompt.taskID, points: nil)]
            }
            do {
                let points = try Points.parse(prompt.input)
                overlay = nil
                return [.complete(taskID: prompt.taskID, points: points)]
            } catch {
                prompt.error = error.userMessage
            }
        default:
            break
        }
        overlay = .points(prompt)
        return []
    }
}
