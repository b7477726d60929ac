import SpoorStore

/// Why a TCK setup statement could not be applied.
enum TCKSetupError: Error, Sendable {
    /// The statement uses something the builder does not do (a write clause other than `CREATE`, …): skip the scenario.
    case unsupported(String)
    /// The statement is malformed or an expression in it failed.
    case failed(String)
}

/// Applies TCK setup statements (`And having executed:`) to an ``InMemoryGraph``.
///
/// Supported: one or more `CREATE` clauses of comma-separated patterns (`(a:L {k: 1}), (a)-[:T {w: 2}]->(b)<-[:U]-(c)`),
/// variables reused across patterns; property values that are literals are read directly, other expressions
/// (`d.name + '0'`, `range(1, 3)`) are evaluated by the engine. A read-only prefix before the first `CREATE`
/// (`UNWIND …`, `MATCH …`, `WITH …`) is run by the engine (`<prefix> RETURN *`) and the `CREATE` applied once per row.
struct TCKGraphBuilder {
    let graph: InMemoryGraph
    let source: String
    let bytes: [UInt8]
    let tokens: [Token]
    var index = 0

    /// Runs `statement` against `graph`.
    static func execute(_ statement: String, on graph: InMemoryGraph) throws(TCKSetupError) {
        let tokens: [Token]
        do { tokens = try Lexer.tokenize(statement) } catch { throw .failed("setup does not lex: \(error.message)") }
        var builder = TCKGraphBuilder(graph: graph, source: statement, bytes: Array(statement.utf8), tokens: tokens)
        try builder.run()
    }

    private init(graph: InMemoryGraph, source: String, bytes: [UInt8], tokens: [Token]) {
        self.graph = graph
        self.source = source
        self.bytes = bytes
        self.tokens = tokens
    }

    // MARK: Pattern model

    private enum PropertyValue {
        case literal(Value)
        /// Expression text, evaluated by the engine with the current variables.
        case expression(String)
    }

    private struct NodeSpec {
        var variable: String?
        var labels: [String]
        var properties: [(String, PropertyValue)]
    }

    private struct RelationshipSpec {
        var variable: String?
        var type: String
        var properties: [(String, PropertyValue)]
        /// Left to right (`-[]->`) when true, right to left (`<-[]-`) when false.
        var leftToRight: Bool
    }

    private struct PatternSpec {
        var pathVariable: String?
        var nodes: [NodeSpec]
        var relationships: [RelationshipSpec]
    }

    // MARK: Tokens

    private var current: Token { tokens[min(index, tokens.count - 1)] }

    private func isKeyword(_ token: Token, _ keyword: String) -> Bool {
        if case .identifier(let name, false) = token.kind { return name.uppercased() == keyword }
        return false
    }

    private func at(_ symbol: Token.Symbol) -> Bool { current.kind == .symbol(symbol) }

    private mutating func consume(_ symbol: Token.Symbol) -> Bool {
        guard at(symbol) else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ symbol: Token.Symbol) throws(TCKSetupError) {
        guard consume(symbol) else { throw .failed("setup: expected '\(symbol.rawValue)' at offset \(current.range.start)") }
    }

    private mutating func name() throws(TCKSetupError) -> String {
        guard case .identifier(let name, _) = current.kind else { throw .failed("setup: expected a name at offset \(current.range.start)") }
        index += 1
        return name
    }

    private func text(from start: Int, to end: Int) -> String {
        String(decoding: bytes[max(0, start)..<min(end, bytes.count)], as: UTF8.self)
    }

    // MARK: Running

    private static let writeClauses = ["MERGE", "SET", "DELETE", "DETACH", "REMOVE", "FOREACH", "CALL", "LOAD"]

    private mutating func run() throws(TCKSetupError) {
        for token in tokens {
            if let keyword = Self.writeClauses.first(where: { isKeyword(token, $0) }) {
                throw .unsupported("setup needs write clause \(keyword)")
            }
        }
        guard let createIndex = tokens.firstIndex(where: { isKeyword($0, "CREATE") }) else {
            throw .unsupported("setup has no CREATE")
        }
        let prefix = text(from: 0, to: tokens[createIndex].range.start).tckTrimmingWhitespace()
        index = createIndex
        var patterns: [PatternSpec] = []
        while isKeyword(current, "CREATE") {
            index += 1
            repeat { patterns.append(try parsePattern()) } while consume(.comma)
        }
        _ = consume(.semicolon)
        if current.kind != .endOfInput {
            if case .identifier(let name, false) = current.kind {
                throw .unsupported("setup needs clause \(name.uppercased()) after CREATE")
            }
            throw .failed("setup: unexpected text at offset \(current.range.start)")
        }

        var rows: [[String: Value]] = [[:]]
        if !prefix.isEmpty {
            do {
                let query = try PreparedQuery.prepare(prefix + "\nRETURN *")
                let cursor = try query.run(on: graph)
                rows = try cursor.all().map { row in
                    Dictionary(zip(query.columns, row), uniquingKeysWith: { first, _ in first })
                }
            } catch {
                throw .unsupported("setup prefix before CREATE fails in the engine: \(error.kind): \(error.message)")
            }
        }
        for row in rows {
            var variables = row
            for pattern in patterns { try create(pattern, variables: &variables) }
        }
    }

    private func create(_ pattern: PatternSpec, variables: inout [String: Value]) throws(TCKSetupError) {
        var nodes: [NodeID] = []
        for spec in pattern.nodes {
            if let variable = spec.variable, let bound = variables[variable] {
                guard case .node(let id) = bound else { throw .failed("setup: \(variable) is not a node") }
                guard spec.labels.isEmpty, spec.properties.isEmpty else {
                    throw .failed("setup: variable \(variable) already declared")
                }
                nodes.append(id)
                continue
            }
            let properties = try evaluate(spec.properties, variables: variables)
            let id = graph.addNode(labels: spec.labels, properties: properties)
            if let variable = spec.variable { variables[variable] = .node(id) }
            nodes.append(id)
        }
        var relationships: [GraphRelationship] = []
        for (i, spec) in pattern.relationships.enumerated() {
            let properties = try evaluate(spec.properties, variables: variables)
            let (from, to) = spec.leftToRight ? (nodes[i], nodes[i + 1]) : (nodes[i + 1], nodes[i])
            let relationship = graph.addRelationship(type: spec.type, from: from, to: to, properties: properties)
            if let variable = spec.variable {
                guard variables[variable] == nil else { throw .failed("setup: variable \(variable) already declared") }
                variables[variable] = .relationship(relationship)
            }
            relationships.append(relationship)
        }
        if let path = pattern.pathVariable { variables[path] = .path(PathValue(nodes: nodes, relationships: relationships)) }
    }

    private func evaluate(_ properties: [(String, PropertyValue)], variables: [String: Value]) throws(TCKSetupError) -> [String: Value] {
        var result: [String: Value] = [:]
        for (key, value) in properties {
            switch value {
            case .literal(let literal): result[key] = literal
            case .expression(let text): result[key] = try Self.evaluate(text, variables: variables, graph: graph)
            }
        }
        return result
    }

    /// Evaluates `text` with the engine, the variables passed in as parameters.
    static func evaluate(_ text: String, variables: [String: Value], graph: InMemoryGraph) throws(TCKSetupError) -> Value {
        let names = variables.keys.sorted()
        var parameters: [String: Value] = [:]
        var query = ""
        if !names.isEmpty {
            query = "WITH " + names.enumerated().map { i, name in
                parameters["tck\(i)"] = variables[name]
                return "$tck\(i) AS `\(name)`"
            }.joined(separator: ", ") + "\n"
        }
        query += "RETURN \(text) AS value"
        do {
            let prepared = try PreparedQuery.prepare(query)
            guard let row = try prepared.run(on: graph, parameters: parameters).next(), let value = row.first else {
                throw TCKSetupError.failed("setup expression \(text) returned no row")
            }
            return value
        } catch let error as TCKSetupError {
            throw error
        } catch let error as QueryError {
            throw .unsupported("setup expression fails in the engine (\(text)): \(error.kind): \(error.message)")
        } catch {
            throw .failed("\(error)")
        }
    }

    // MARK: Parsing

    private mutating func parsePattern() throws(TCKSetupError) -> PatternSpec {
        var pathVariable: String?
        if case .identifier(let name, _) = current.kind, tokens[min(index + 1, tokens.count - 1)].kind == .symbol(.equal) {
            pathVariable = name
            index += 2
        }
        var pattern = PatternSpec(pathVariable: pathVariable, nodes: [try parseNode()], relationships: [])
        while at(.minus) || at(.less) {
            pattern.relationships.append(try parseRelationship())
            pattern.nodes.append(try parseNode())
        }
        return pattern
    }

    private mutating func parseNode() throws(TCKSetupError) -> NodeSpec {
        try expect(.leftParen)
        var spec = NodeSpec(variable: nil, labels: [], properties: [])
        if case .identifier(let name, _) = current.kind {
            spec.variable = name
            index += 1
        }
        while consume(.colon) { spec.labels.append(try name()) }
        if at(.leftBrace) { spec.properties = try parseProperties() }
        try expect(.rightParen)
        return spec
    }

    private mutating func parseRelationship() throws(TCKSetupError) -> RelationshipSpec {
        let leftArrow = consume(.less)
        try expect(.minus)
        var spec = RelationshipSpec(variable: nil, type: "", properties: [], leftToRight: true)
        var hasType = false
        if consume(.leftBracket) {
            if case .identifier(let name, _) = current.kind {
                spec.variable = name
                index += 1
            }
            if consume(.colon) {
                spec.type = try name()
                hasType = true
                if at(.pipe) { throw .failed("setup: CREATE needs exactly one relationship type") }
            }
            if at(.star) { throw .failed("setup: variable-length relationship in CREATE") }
            if at(.leftBrace) { spec.properties = try parseProperties() }
            try expect(.rightBracket)
        }
        try expect(.minus)
        let rightArrow = consume(.greater)
        guard hasType else { throw .failed("setup: CREATE needs a relationship type") }
        switch (leftArrow, rightArrow) {
        case (false, true): spec.leftToRight = true
        case (true, false): spec.leftToRight = false
        default: throw .failed("setup: CREATE needs a directed relationship")
        }
        return spec
    }

    private mutating func parseProperties() throws(TCKSetupError) -> [(String, PropertyValue)] {
        try expect(.leftBrace)
        var properties: [(String, PropertyValue)] = []
        if consume(.rightBrace) { return properties }
        repeat {
            let key = try name()
            try expect(.colon)
            properties.append((key, try parsePropertyValue()))
        } while consume(.comma)
        try expect(.rightBrace)
        return properties
    }

    /// A literal when the value is one, otherwise the expression's text up to the `,` or `}` that ends it.
    private mutating func parsePropertyValue() throws(TCKSetupError) -> PropertyValue {
        var literalParser = TCKValueParser(tokens: tokens, index: index)
        if let literal = try? literalParser.parseValue(), let value = literal.engineValue,
            literalParser.at(.comma) || literalParser.at(.rightBrace)
        {
            index = literalParser.index
            return .literal(value)
        }
        let start = current.range.start
        var depth = 0
        var end = start
        while true {
            let token = current
            switch token.kind {
            case .endOfInput: throw .failed("setup: unterminated property map")
            case .symbol(.leftParen), .symbol(.leftBracket), .symbol(.leftBrace): depth += 1
            case .symbol(.rightParen), .symbol(.rightBracket), .symbol(.rightBrace):
                if depth == 0 { return .expression(text(from: start, to: end)) }
                depth -= 1
            case .symbol(.comma) where depth == 0:
                return .expression(text(from: start, to: end))
            default: break
            }
            end = token.range.end
            index += 1
        }
    }
}

extension TCKValue {
    /// The engine value of a plain value (no nodes, relationships or paths), or `nil`.
    var engineValue: Value? {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .integer(let i): return .integer(i)
        case .bigInteger(let s): return s.hasPrefix("-") ? nil : Amount(decimal: s).map(Value.amount)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .list(let l):
            var values: [Value] = []
            for element in l {
                guard let value = element.engineValue else { return nil }
                values.append(value)
            }
            return .list(values)
        case .map(let m):
            var values: [String: Value] = [:]
            for (key, element) in m {
                guard let value = element.engineValue else { return nil }
                values[key] = value
            }
            return .map(values)
        case .node, .relationship, .path: return nil
        }
    }
}
