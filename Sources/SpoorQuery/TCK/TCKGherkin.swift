/// A small Gherkin reader for the openCypher TCK feature files: `Feature`, `Background`, `Scenario`,
/// `Scenario Outline` (expanded over its `Examples` tables), steps with doc strings (`"""`) and data tables (`| a |`).
///
/// Only what the TCK uses is supported; anything else is ignored. Lines may end in LF or CRLF (some TCK files use CRLF).
struct TCKFeature: Sendable {
    /// The file the feature came from (as given to ``parse(_:path:)``).
    var path: String
    /// The text after `Feature:`.
    var name: String
    /// The scenarios, outlines expanded (one per example row).
    var scenarios: [TCKScenario]

    /// Reads a feature file.
    static func parse(_ text: String, path: String) -> TCKFeature {
        var reader = TCKGherkinReader(lines: text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init), path: path)
        return reader.read()
    }
}

/// One runnable scenario (an outline contributes one per example row).
struct TCKScenario: Sendable {
    /// The feature's path.
    var path: String
    /// The feature name.
    var feature: String
    /// The scenario name, with the example's values appended for an outline.
    var name: String
    /// The line of `Scenario:` in the file.
    var line: Int
    /// Tags on the scenario and its feature (`@skip`, …).
    var tags: [String]
    /// Background steps first, then the scenario's own.
    var steps: [TCKStep]
}

/// One step: `Given an empty graph`, `When executing query:` with a doc string, `Then … :` with a table.
struct TCKStep: Sendable {
    /// `Given`, `When`, `Then`, `And`, `But` or `*`.
    var keyword: String
    /// The rest of the line.
    var text: String
    /// The `"""` block that follows, without its common indentation.
    var docString: String?
    /// The table that follows, one array of trimmed, unescaped cells per row (the header row included).
    var table: [[String]]?
    /// The line of the step in the file.
    var line: Int
}

private struct TCKGherkinReader {
    let lines: [String]
    let path: String
    var index = 0

    init(lines: [String], path: String) {
        self.lines = lines
        self.path = path
    }

    private static let stepKeywords = ["Given ", "When ", "Then ", "And ", "But ", "* "]

    private func trimmed(_ line: String) -> Substring {
        line.drop(while: { $0 == " " || $0 == "\t" })
    }

    mutating func read() -> TCKFeature {
        var featureName = ""
        var featureTags: [String] = []
        var pendingTags: [String] = []
        var background: [TCKStep] = []
        var scenarios: [TCKScenario] = []

        while index < lines.count {
            let line = trimmed(lines[index]).tckTrimmingTrailingWhitespace()
            let lineNumber = index + 1
            if line.isEmpty || line.hasPrefix("#") {
                index += 1
            } else if line.hasPrefix("@") {
                pendingTags += line.split(separator: " ").map(String.init).filter { $0.hasPrefix("@") }
                index += 1
            } else if line.hasPrefix("Feature:") {
                featureName = line.dropFirst("Feature:".count).tckTrimmingWhitespace()
                featureTags = pendingTags
                pendingTags = []
                index += 1
            } else if line.hasPrefix("Background:") {
                index += 1
                background = readSteps()
            } else if line.hasPrefix("Scenario Outline:") || line.hasPrefix("Scenario Template:") {
                let name = line.drop(while: { $0 != ":" }).dropFirst().tckTrimmingWhitespace()
                let tags = featureTags + pendingTags
                pendingTags = []
                index += 1
                let steps = readSteps()
                var exampleNumber = 0
                // Examples blocks (each with its own header) follow the steps.
                while index < lines.count {
                    let next = trimmed(lines[index]).tckTrimmingTrailingWhitespace()
                    if next.isEmpty || next.hasPrefix("#") || next.hasPrefix("@") && isFollowedByExamples() {
                        index += 1
                        continue
                    }
                    guard next.hasPrefix("Examples:") || next.hasPrefix("Scenarios:") else { break }
                    index += 1
                    skipBlankAndComments()
                    let table = readTable()
                    guard let header = table.first else { continue }
                    for row in table.dropFirst() {
                        exampleNumber += 1
                        var substitutions: [(String, String)] = []
                        for (column, key) in header.enumerated() where column < row.count {
                            substitutions.append(("<\(key)>", row[column]))
                        }
                        func substitute(_ text: String) -> String {
                            var result = text
                            for (key, value) in substitutions { result = result.replacing(key, with: value) }
                            return result
                        }
                        let expanded = steps.map { step in
                            TCKStep(
                                keyword: step.keyword, text: substitute(step.text), docString: step.docString.map(substitute),
                                table: step.table.map { $0.map { $0.map(substitute) } }, line: step.line)
                        }
                        let values = row.joined(separator: " | ")
                        scenarios.append(TCKScenario(
                            path: path, feature: featureName, name: "\(substitute(name)) #\(exampleNumber) [\(values)]",
                            line: lineNumber, tags: tags, steps: background + expanded))
                    }
                }
            } else if line.hasPrefix("Scenario:") || line.hasPrefix("Example:") {
                let name = line.drop(while: { $0 != ":" }).dropFirst().tckTrimmingWhitespace()
                let tags = featureTags + pendingTags
                pendingTags = []
                index += 1
                let steps = readSteps()
                scenarios.append(TCKScenario(path: path, feature: featureName, name: name, line: lineNumber, tags: tags, steps: background + steps))
            } else {
                index += 1
            }
        }
        return TCKFeature(path: path, name: featureName, scenarios: scenarios)
    }

    /// Whether the tag line at `index` belongs to an `Examples:` block rather than to the next scenario.
    private func isFollowedByExamples() -> Bool {
        var i = index + 1
        while i < lines.count {
            let line = trimmed(lines[i])
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("@") { i += 1; continue }
            return line.hasPrefix("Examples:") || line.hasPrefix("Scenarios:")
        }
        return false
    }

    private mutating func skipBlankAndComments() {
        while index < lines.count {
            let line = trimmed(lines[index])
            guard line.isEmpty || line.hasPrefix("#") else { return }
            index += 1
        }
    }

    /// Steps up to the next keyword that is not a step (`Scenario:`, `Examples:`, …) or a tag line.
    private mutating func readSteps() -> [TCKStep] {
        var steps: [TCKStep] = []
        while index < lines.count {
            let line = trimmed(lines[index]).tckTrimmingTrailingWhitespace()
            if line.isEmpty || line.hasPrefix("#") {
                index += 1
                continue
            }
            guard let keyword = Self.stepKeywords.first(where: { line.hasPrefix($0) }) else { break }
            var step = TCKStep(
                keyword: String(keyword.dropLast()), text: String(line.dropFirst(keyword.count)).tckTrimmingWhitespace(),
                docString: nil, table: nil, line: index + 1)
            index += 1
            skipBlankAndComments()
            if index < lines.count {
                let next = trimmed(lines[index])
                if next.hasPrefix("\"\"\"") || next.hasPrefix("```") {
                    step.docString = readDocString()
                } else if next.hasPrefix("|") {
                    step.table = readTable()
                }
            }
            steps.append(step)
        }
        return steps
    }

    /// The doc string starting at `index` (the opening delimiter line); leaves `index` after the closing one.
    private mutating func readDocString() -> String {
        let opening = lines[index]
        let indent = opening.prefix(while: { $0 == " " || $0 == "\t" }).count
        let delimiter = trimmed(opening).hasPrefix("```") ? "```" : "\"\"\""
        index += 1
        var content: [String] = []
        while index < lines.count {
            let line = lines[index]
            index += 1
            if trimmed(line).tckTrimmingTrailingWhitespace() == delimiter { break }
            // Remove up to `indent` leading whitespace characters.
            var dropped = 0
            var rest = Substring(line)
            while dropped < indent, let first = rest.first, first == " " || first == "\t" {
                rest = rest.dropFirst()
                dropped += 1
            }
            content.append(String(rest).replacing("\\\"\\\"\\\"", with: "\"\"\""))
        }
        return content.joined(separator: "\n")
    }

    /// Consecutive table rows starting at `index`.
    private mutating func readTable() -> [[String]] {
        var rows: [[String]] = []
        while index < lines.count {
            let line = trimmed(lines[index]).tckTrimmingTrailingWhitespace()
            if line.hasPrefix("#") {
                index += 1
                continue
            }
            guard line.hasPrefix("|") else { break }
            rows.append(Self.cells(of: line[...]))
            index += 1
        }
        return rows
    }

    /// The cells of `| a | b |`: split on unescaped `|`, `\|`, `\\` and `\n` unescaped, whitespace trimmed.
    static func cells(of line: Substring) -> [String] {
        var cells: [String] = []
        var current = ""
        var characters = line.dropFirst().makeIterator()  // the leading `|`
        while let character = characters.next() {
            if character == "\\" {
                switch characters.next() {
                case "|": current.append("|")
                case "\\": current.append("\\")
                case "n": current.append("\n")
                case let other?: current.append("\\"); current.append(other)
                case nil: current.append("\\")
                }
            } else if character == "|" {
                cells.append(current.tckTrimmingWhitespace())
                current = ""
            } else {
                current.append(character)
            }
        }
        // Text after the last `|` (normally empty) is not a cell.
        return cells
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func tckTrimmingWhitespace() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" })).tckTrimmingTrailingWhitespace()
    }

    /// Without trailing spaces and tabs.
    func tckTrimmingTrailingWhitespace() -> String {
        var result = String(self)
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
