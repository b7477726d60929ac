import SpoorStore

/// A value in the TCK's result notation: `1`, `'a'`, `[1, 2]`, `{a: 1}`, `(:L {k: 1})`, `[:T {w: 2}]`,
/// `<(:A)-[:T]->(:B)>`. Engine results are converted to this form (nodes and relationships through the graph) to be
/// compared.
indirect enum TCKValue: Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    /// An integer beyond 64 bits, as decimal digits (with a leading `-` when negative).
    case bigInteger(String)
    case float(Double)
    case string(String)
    case list([TCKValue])
    case map([String: TCKValue])
    case node(TCKNode)
    case relationship(TCKRelationship)
    case path(start: TCKNode, steps: [TCKPathStep])

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .integer(let i): return String(i)
        case .bigInteger(let s): return s
        case .float(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            return String(d)
        case .string(let s): return "'\(s)'"
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return TCKValue.mapDescription(m)
        case .node(let n): return n.description
        case .relationship(let r): return r.description
        case .path(let start, let steps):
            var text = "<" + start.description
            for step in steps {
                text += step.forward ? "-\(step.relationship)->" : "<-\(step.relationship)-"
                text += step.node.description
            }
            return text + ">"
        }
    }

    static func mapDescription(_ map: [String: TCKValue]) -> String {
        "{" + map.keys.sorted().map { "\($0): \(map[$0]!)" }.joined(separator: ", ") + "}"
    }
}

/// `(:A:B {k: 1})`.
struct TCKNode: Sendable, CustomStringConvertible {
    var labels: Set<String>
    var properties: [String: TCKValue]

    var description: String {
        "(" + labels.sorted().map { ":" + $0 }.joined() + (properties.isEmpty ? "" : (labels.isEmpty ? "" : " ") + TCKValue.mapDescription(properties)) + ")"
    }
}

/// `[:T {k: 1}]`.
struct TCKRelationship: Sendable, CustomStringConvertible {
    var type: String
    var properties: [String: TCKValue]

    var description: String {
        "[:" + type + (properties.isEmpty ? "" : " " + TCKValue.mapDescription(properties)) + "]"
    }
}

/// One hop of a path: the relationship, whether it points along the path, and the node reached.
struct TCKPathStep: Sendable {
    var relationship: TCKRelationship
    var forward: Bool
    var node: TCKNode
}

// MARK: - Comparison

extension TCKValue {
    /// TCK equality: integers and floats are different types; floats compare with a tiny relative tolerance and
    /// NaN equals NaN; with `unorderedLists` list elements are compared as multisets.
    func matches(_ other: TCKValue, unorderedLists: Bool) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.bigInteger(let a), .bigInteger(let b)): return a == b
        case (.integer(let a), .bigInteger(let b)), (.bigInteger(let b), .integer(let a)): return String(a) == b
        case (.float(let a), .float(let b)):
            if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
            if a == b { return true }
            guard a.isFinite, b.isFinite else { return false }
            return abs(a - b) <= 1e-12 * max(abs(a), abs(b))
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            if unorderedLists { return TCKValue.multisetMatch(a, b) { $0.matches($1, unorderedLists: true) } }
            return zip(a, b).allSatisfy { $0.matches($1, unorderedLists: false) }
        case (.map(let a), .map(let b)):
            return TCKValue.mapsMatch(a, b, unorderedLists: unorderedLists)
        case (.node(let a), .node(let b)):
            return a.matches(b, unorderedLists: unorderedLists)
        case (.relationship(let a), .relationship(let b)):
            return a.matches(b, unorderedLists: unorderedLists)
        case (.path(let s1, let steps1), .path(let s2, let steps2)):
            guard s1.matches(s2, unorderedLists: unorderedLists), steps1.count == steps2.count else { return false }
            return zip(steps1, steps2).allSatisfy { x, y in
                x.forward == y.forward && x.relationship.matches(y.relationship, unorderedLists: unorderedLists)
                    && x.node.matches(y.node, unorderedLists: unorderedLists)
            }
        default: return false
        }
    }

    static func mapsMatch(_ a: [String: TCKValue], _ b: [String: TCKValue], unorderedLists: Bool) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in a {
            guard let other = b[key], value.matches(other, unorderedLists: unorderedLists) else { return false }
        }
        return true
    }

    /// Whether every element of `a` pairs with a distinct element of `b` (same counts assumed).
    static func multisetMatch<T>(_ a: [T], _ b: [T], _ equal: (T, T) -> Bool) -> Bool {
        guard a.count == b.count else { return false }
        var used = [Bool](repeating: false, count: b.count)
        outer: for x in a {
            for (i, y) in b.enumerated() where !used[i] && equal(x, y) {
                used[i] = true
                continue outer
            }
            return false
        }
        return true
    }
}

extension TCKNode {
    func matches(_ other: TCKNode, unorderedLists: Bool) -> Bool {
        labels == other.labels && TCKValue.mapsMatch(properties, other.properties, unorderedLists: unorderedLists)
    }
}

extension TCKRelationship {
    func matches(_ other: TCKRelationship, unorderedLists: Bool) -> Bool {
        type == other.type && TCKValue.mapsMatch(properties, other.properties, unorderedLists: unorderedLists)
    }
}

// MARK: - From engine values

extension TCKValue {
    /// An engine value in TCK form; nodes and relationships are described by their labels, type and properties.
    init(_ value: Value, graph: any GraphAccess) throws {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .integer(i)
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .amount(let a): self = a.int64Value.map(TCKValue.integer) ?? .bigInteger(a.description)
        case .list(let l): self = .list(try l.map { try TCKValue($0, graph: graph) })
        case .map(let m): self = .map(try m.mapValues { try TCKValue($0, graph: graph) })
        case .node(let id): self = .node(try TCKNode(id, graph: graph))
        case .relationship(let r): self = .relationship(try TCKRelationship(r, graph: graph))
        case .path(let path):
            guard let first = path.nodes.first else {
                self = .list([])
                return
            }
            var steps: [TCKPathStep] = []
            for (i, relationship) in path.relationships.enumerated() where i + 1 < path.nodes.count {
                steps.append(TCKPathStep(
                    relationship: try TCKRelationship(relationship, graph: graph),
                    forward: relationship.start == path.nodes[i],
                    node: try TCKNode(path.nodes[i + 1], graph: graph)))
            }
            self = .path(start: try TCKNode(first, graph: graph), steps: steps)
        }
    }
}

extension TCKNode {
    init(_ id: NodeID, graph: any GraphAccess) throws {
        labels = Set(try graph.labels(of: id))
        properties = try graph.nodeProperties(of: id).mapValues { try TCKValue($0, graph: graph) }
    }
}

extension TCKRelationship {
    init(_ relationship: GraphRelationship, graph: any GraphAccess) throws {
        type = relationship.type
        properties = try graph.relationshipProperties(of: relationship).mapValues { try TCKValue($0, graph: graph) }
    }
}

// MARK: - Parsing the notation

/// Parses TCK notation (and Cypher literals) from lexer tokens.
struct TCKValueParser {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let tokens: [Token]
    var index = 0

    init(tokens: [Token], index: Int = 0) {
        self.tokens = tokens
        self.index = index
    }

    /// Parses one whole cell (or parameter value).
    static func parse(_ text: String) throws(Failure) -> TCKValue {
        let tokens: [Token]
        do { tokens = try Lexer.tokenize(text) } catch { throw Failure(description: "cannot lex '\(text)': \(error.message)") }
        var parser = TCKValueParser(tokens: tokens)
        let value = try parser.parseValue()
        guard parser.current.kind == .endOfInput else { throw Failure(description: "unexpected text after the value in '\(text)'") }
        return value
    }

    var current: Token { tokens[min(index, tokens.count - 1)] }

    func peek(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    func at(_ symbol: Token.Symbol) -> Bool { current.kind == .symbol(symbol) }

    mutating func consume(_ symbol: Token.Symbol) -> Bool {
        guard at(symbol) else { return false }
        index += 1
        return true
    }

    mutating func expect(_ symbol: Token.Symbol) throws(Failure) {
        guard consume(symbol) else { throw Failure(description: "expected '\(symbol.rawValue)' at token \(index)") }
    }

    mutating func name() throws(Failure) -> String {
        guard case .identifier(let name, _) = current.kind else { throw Failure(description: "expected a name at token \(index)") }
        index += 1
        return name
    }

    mutating func parseValue() throws(Failure) -> TCKValue {
        let token = current
        switch token.kind {
        case .integer(let i):
            index += 1
            return .integer(i)
        case .bigInteger(let s):
            index += 1
            return .bigInteger(s)
        case .float(let d):
            index += 1
            return .float(d)
        case .string(let s):
            index += 1
            return .string(s)
        case .symbol(.minus):
            index += 1
            switch current.kind {
            case .integer(let i):
                index += 1
                return .integer(-i)
            case .bigInteger(let s):
                index += 1
                if s == "9223372036854775808" { return .integer(.min) }
                return .bigInteger("-" + s)
            case .float(let d):
                index += 1
                return .float(-d)
            case .identifier(let name, false) where name.lowercased() == "infinity" || name.lowercased() == "inf":
                index += 1
                return .float(-.infinity)
            default: throw Failure(description: "expected a number after '-'")
            }
        case .identifier(let name, false):
            switch name.lowercased() {
            case "null": index += 1; return .null
            case "true": index += 1; return .bool(true)
            case "false": index += 1; return .bool(false)
            case "nan": index += 1; return .float(.nan)
            case "infinity", "inf": index += 1; return .float(.infinity)
            default: throw Failure(description: "unexpected name '\(name)'")
            }
        case .symbol(.leftBracket):
            // A relationship `[:T …]` or a list.
            if peek(1).kind == .symbol(.colon) { return .relationship(try parseRelationship()) }
            index += 1
            var elements: [TCKValue] = []
            if !consume(.rightBracket) {
                repeat { elements.append(try parseValue()) } while consume(.comma)
                try expect(.rightBracket)
            }
            return .list(elements)
        case .symbol(.leftBrace):
            return .map(try parseMap())
        case .symbol(.leftParen):
            return .node(try parseNode())
        case .symbol(.less):
            index += 1
            let start = try parseNode()
            var steps: [TCKPathStep] = []
            while !consume(.greater) {
                let forward: Bool
                if consume(.less) {
                    try expect(.minus)
                    let relationship = try parseRelationship()
                    try expect(.minus)
                    forward = false
                    steps.append(TCKPathStep(relationship: relationship, forward: forward, node: try parseNode()))
                } else {
                    try expect(.minus)
                    let relationship = try parseRelationship()
                    try expect(.minus)
                    try expect(.greater)
                    steps.append(TCKPathStep(relationship: relationship, forward: true, node: try parseNode()))
                }
            }
            return .path(start: start, steps: steps)
        default:
            throw Failure(description: "unexpected token at \(index)")
        }
    }

    mutating func parseMap() throws(Failure) -> [String: TCKValue] {
        try expect(.leftBrace)
        var map: [String: TCKValue] = [:]
        if consume(.rightBrace) { return map }
        repeat {
            let key: String
            if case .string(let s) = current.kind {
                key = s
                index += 1
            } else {
                key = try name()
            }
            try expect(.colon)
            map[key] = try parseValue()
        } while consume(.comma)
        try expect(.rightBrace)
        return map
    }

    mutating func parseNode() throws(Failure) -> TCKNode {
        try expect(.leftParen)
        var labels: Set<String> = []
        while consume(.colon) { labels.insert(try name()) }
        let properties = at(.leftBrace) ? try parseMap() : [:]
        try expect(.rightParen)
        return TCKNode(labels: labels, properties: properties)
    }

    mutating func parseRelationship() throws(Failure) -> TCKRelationship {
        try expect(.leftBracket)
        try expect(.colon)
        let type = try name()
        let properties = at(.leftBrace) ? try parseMap() : [:]
        try expect(.rightBracket)
        return TCKRelationship(type: type, properties: properties)
    }
}
