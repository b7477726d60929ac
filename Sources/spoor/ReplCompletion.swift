import Foundation
import Spoor

/// Tab completion in the REPL: what to put in place of the word before the cursor.
///
/// The word's context picks the candidates: after `:` at the start of a statement the REPL commands; after `:` in a
/// pattern the labels (inside `(…)`) or relationship types (inside `[…]`); after `name.` the property names; after
/// `spoor.` or `CALL` the procedures; anywhere else the keywords and function names. Matching ignores case; a
/// keyword takes the case of what was typed (all lower case stays lower case).
struct ReplCompleter: Sendable {
    /// One completion.
    struct Completion: Equatable, Sendable {
        /// How many characters before the cursor `text` replaces.
        var replacing: Int
        /// What goes in their place (the longest prefix the candidates share, or the one candidate).
        var text: String
        /// The candidates to list when `text` adds nothing (more than one candidate, no longer common prefix).
        var alternatives: [String]
    }

    var keywords: [String]
    var functions: [String]
    var labels: [String]
    var relationshipTypes: [String]
    var properties: [String]
    var procedures: [String]
    var commands: [String]

    /// The words of the store's schema (``StoreGraph``), the query language and the standard procedures.
    static let store = ReplCompleter(
        keywords: QueryVocabulary.keywords,
        functions: QueryVocabulary.functions,
        labels: StoreGraph.nodeSchema.map(\.label),
        relationshipTypes: StoreGraph.relationshipSchema.map(\.type),
        properties: Array(Set(StoreGraph.nodeSchema.flatMap(\.properties)
            + StoreGraph.relationshipSchema.flatMap(\.properties))).sorted(),
        procedures: ProcedureRegistry.standard.all.map(\.name),
        commands: [":help", ":quit", ":exit", ":format", ":param", ":params", ":schema", ":timing", ":explain",
            ":timeout", ":history"]
    )

    /// The completion of the word that ends `before` (the statement text up to the cursor, possibly only its current
    /// line), or `nil` when no candidate matches.
    func complete(_ before: String) -> Completion? {
        let characters = Array(before)
        var start = characters.count
        while start > 0, Self.isWordCharacter(characters[start - 1]) || characters[start - 1] == "." { start -= 1 }
        var word = String(characters[start...])
        let preceding: Character? = start > 0 ? characters[start - 1] : nil
        var candidates: [String]
        var keywordCase = false

        if preceding == ":" {
            if characters[..<(start - 1)].allSatisfy(\.isWhitespace) {
                candidates = commands.map { String($0.dropFirst()) }
            } else {
                candidates = Self.isInsideRelationship(characters[..<(start - 1)]) ? relationshipTypes : labels
            }
        } else if let dot = word.lastIndex(of: ".") {
            let lowered = word.lowercased()
            if lowered.hasPrefix("spoor.") || Self.previousWord(characters[..<start]) == "CALL" {
                candidates = procedures + functions.filter { $0.contains(".") }
            } else {
                word = String(word[word.index(after: dot)...])
                candidates = properties
            }
        } else if Self.previousWord(characters[..<start]) == "CALL" {
            candidates = procedures
        } else {
            guard !word.isEmpty, !(word.first?.isNumber ?? false) else { return nil }
            candidates = keywords + functions
            keywordCase = true
        }

        let lowered = word.lowercased()
        var seen = Set<String>()
        var matches: [String] = []
        for candidate in candidates where candidate.lowercased().hasPrefix(lowered) {
            var text = candidate
            if keywordCase, QueryVocabulary.keywords.contains(candidate), word == lowered, !word.isEmpty {
                text = candidate.lowercased()
            }
            if seen.insert(text.lowercased()).inserted { matches.append(text) }
        }
        guard let first = matches.first else { return nil }
        let replacing = word.count
        if matches.count == 1 {
            let isKeyword = keywordCase && QueryVocabulary.keywords.contains(first.uppercased())
            return Completion(replacing: replacing, text: first + (isKeyword ? " " : ""), alternatives: [])
        }
        var common = Array(first)
        for match in matches.dropFirst() {
            let other = Array(match)
            var length = 0
            while length < common.count, length < other.count,
                common[length].lowercased() == other[length].lowercased()
            {
                length += 1
            }
            common.removeLast(common.count - length)
        }
        if common.count > word.count {
            return Completion(replacing: replacing, text: String(common), alternatives: [])
        }
        return Completion(replacing: replacing, text: word, alternatives: matches)
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character == "_" || character.isLetter || character.isNumber
    }

    /// Whether the nearest unclosed bracket before the word is `[` (a relationship pattern).
    private static func isInsideRelationship(_ text: ArraySlice<Character>) -> Bool {
        for character in text.reversed() {
            switch character {
            case "[": return true
            case "(", ")", "]": return false
            default: continue
            }
        }
        return false
    }

    /// The word before `text`'s trailing blanks, upper case.
    private static func previousWord(_ text: ArraySlice<Character>) -> String {
        var end = text.endIndex
        while end > text.startIndex, text[end - 1].isWhitespace { end -= 1 }
        var start = end
        while start > text.startIndex, isWordCharacter(text[start - 1]) { start -= 1 }
        return String(text[start..<end]).uppercased()
    }

    /// `alternatives` in columns that fit `width` characters, one line each row.
    static func columns(_ alternatives: [String], width: Int) -> String {
        guard let widest = alternatives.map(\.count).max() else { return "" }
        let columnWidth = widest + 2
        let perLine = max(1, width / columnWidth)
        var text = ""
        for (index, alternative) in alternatives.enumerated() {
            let last = index % perLine == perLine - 1 || index == alternatives.count - 1
            text += last ? alternative + "\n" : alternative.padding(toLength: columnWidth, withPad: " ", startingAt: 0)
        }
        return text
    }
}
