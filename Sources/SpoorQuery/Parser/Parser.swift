import SpoorStore

/// Recursive-descent parser from tokens to ``QueryStatement``. One function per grammar rule, precedence climbing
/// for expressions. Every loop consumes a token per iteration; nesting deeper than ``maximumNesting`` throws.
struct Parser {
    /// Deepest nesting of parentheses, lists, maps and prefix operators the parser follows.
    static let maximumNesting = 200
    /// Tallest expression tree accepted (long operator chains such as `1 + 1 + … + 1`).
    static let maximumHeight = 500

    let source: String
    let bytes: [UInt8]
    private let tokens: [Token]
    private var index = 0
    private var depth = 0

    init(source: String) throws(QueryError) {
        self.source = source
        bytes = Array(source.utf8)
        tokens = try Lexer.tokenize(source)
    }

    /// Parses a whole query.
    static func parse(_ source: String) throws(QueryError) -> QueryStatement {
        var parser = try Parser(source: source)
        return try parser.parseQuery()
    }

    // MARK: Token helpers

    private var current: Token { tokens[min(index, tokens.count - 1)] }
    private func peekToken(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    private mutating func advance() -> Token {
        let token = current
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private var previousEnd: Int { index > 0 ? tokens[index - 1].range.end : 0 }

    private func isKeyword(_ token: Token, _ keyword: String) -> Bool {
        if case .identifier(let name, quoted: false) = token.kind {
            return name.count == keyword.count && name.uppercased() == keyword
        }
        return false
    }

    private func at(_ keyword: String) -> Bool { isKeyword(current, keyword) }

    private func at(_ symbol: Token.Symbol) -> Bool { current.kind == .symbol(symbol) }

    private func peekIs(_ offset: Int, _ symbol: Token.Symbol) -> Bool { peekToken(offset).kind == .symbol(symbol) }

    private mutating func consume(_ keyword: String) -> Bool {
        guard at(keyword) else { return false }
        _ = advance()
        return true
    }

    private mutating func consume(_ symbol: Token.Symbol) -> Bool {
        guard at(symbol) else { return false }
        _ = advance()
        return true
    }

    private var found: String { current.display(source: bytes) }

    private func error(_ message: String, at range: SourceRange? = nil) -> QueryError {
        QueryError(.syntax, message, at: range ?? current.range)
    }

    private func expected(_ what: String) -> QueryError { error("expected \(what), found \(found)") }

    @discardableResult
    private mutating func expect(_ symbol: Token.Symbol, _ what: String? = nil) throws(QueryError) -> Token {
        guard at(symbol) else { throw expected(what ?? "'\(symbol.rawValue)'") }
        return advance()
    }

    private mutating func expectKeyword(_ keyword: String, _ what: String? = nil) throws(QueryError) {
        guard consume(keyword) else { throw expected(what ?? keyword) }
    }

    /// Expects the closing symbol of a bracketed construct and names where it was opened.
    private mutating func expectClosing(_ symbol: Token.Symbol, opening: Token, alternatives: String = "") throws(QueryError) {
        guard at(symbol) else {
            let (line, column) = SourceRange.lineAndColumn(of: opening.range.start, in: source)
            let open = opening.display(source: bytes)
            throw expected("\(alternatives)'\(symbol.rawValue)' to close \(open) opened at \(line):\(column)")
        }
        _ = advance()
    }

    private func text(_ range: SourceRange) -> String {
        let start = max(0, min(range.start, bytes.count))
        return String(decoding: bytes[start..<max(start, min(range.end, bytes.count))], as: UTF8.self)
    }

    private mutating func enterNesting() throws(QueryError) {
        depth += 1
        if depth > Parser.maximumNesting {
            throw error("query nested too deeply: more than \(Parser.maximumNesting) levels of parentheses, lists, maps or operators")
        }
    }

    /// A name: an identifier, a quoted name or a keyword used as a name.
    private mutating func parseName(_ what: String) throws(QueryError) -> (String, SourceRange) {
        guard case .identifier(let name, _) = current.kind else { throw expected(what) }
        let token = advance()
        return (name, token.range)
    }

    /// A variable name: an identifier that is not a reserved word, or any quoted name.
    private func variableName(_ token: Token) -> String? {
        guard case .identifier(let name, let quoted) = token.kind else { return nil }
        if !quoted, Keyword.isKeyword(name) { return nil }
        return name
    }

    // MARK: Query and clauses

    mutating func parseQuery() throws(QueryError) -> QueryStatement {
        let start = current.range.start
        var explain = false
        var profile = false
        if consume("EXPLAIN") { explain = true } else if consume("PROFILE") { profile = true }
        let clauses = try parseSingleQuery()
        var unions: [UnionPart] = []
        while at("UNION") {
            let unionStart = advance().range
            let all = consume("ALL")
            let keywords = SourceRange(start: unionStart.start, end: previousEnd)
            unions.append(UnionPart(all: all, clauses: try parseSingleQuery(afterUnion: true), range: keywords))
        }
        if at(.semicolon) { _ = advance() }
        guard current.kind == .endOfInput else { throw expected("end of input") }
        return QueryStatement(clauses: clauses, explain: explain, range: SourceRange(start: start, end: previousEnd), profile: profile, unions: unions)
    }

    /// Clauses up to the end of input, a ';' or UNION. Ends with RETURN, or is a single standalone CALL.
    private mutating func parseSingleQuery(afterUnion: Bool = false) throws(QueryError) -> [Clause] {
        var clauses: [Clause] = []
        while current.kind != .endOfInput, !at(.semicolon), !at("UNION") {
            let before = index
            if case .returnClause = clauses.last {
                throw expected("end of input after RETURN")
            }
            clauses.append(try parseClause())
            guard index > before else { throw expected("a clause") }
        }
        guard let last = clauses.last else {
            throw expected(afterUnion ? "a query after UNION" : "a query starting with MATCH, OPTIONAL MATCH, UNWIND, WITH, CALL or RETURN")
        }
        if case .call = last, clauses.count == 1 { return clauses }
        guard case .returnClause = last else {
            throw error("expected RETURN at the end of the query, found \(found)", at: current.range)
        }
        return clauses
    }

    private mutating func parseCallClause() throws(QueryError) -> CallClause {
        let start = advance().range.start  // CALL
        var (name, nameRange) = try parseName("a procedure name after CALL")
        while consume(.dot) {
            let (part, partRange) = try parseName("a procedure name after '.'")
            name += "." + part
            nameRange = nameRange.union(partRange)
        }
        var arguments: [Expression]?
        if at(.leftParen) {
            let open = advance()
            var list: [Expression] = []
            if !at(.rightParen) {
                repeat { list.append(try parseExpression()) } while consume(.comma)
            }
            try expectClosing(.rightParen, opening: open, alternatives: "',' or ")
            arguments = list
        }
        var yields: [CallClause.YieldItem]?
        var star = false
        if consume("YIELD") {
            if consume(.star) {
                star = true
            } else {
                var items: [CallClause.YieldItem] = []
                repeat {
                    let (column, columnRange) = try parseName("a result column name after YIELD")
                    var item = CallClause.YieldItem(name: column, nameRange: columnRange)
                    if consume("AS") {
                        guard let alias = variableName(current) else { throw expected("a variable name after AS") }
                        item.alias = alias
                        item.aliasRange = advance().range
                    }
                    items.append(item)
                } while consume(.comma)
                yields = items
            }
        }
        var predicate: Expression?
        if yields != nil || star, consume("WHERE") { predicate = try parseExpression() }
        return CallClause(
            name: name, nameRange: nameRange, arguments: arguments, yields: yields, yieldStar: star, predicate: predicate,
            range: SourceRange(start: start, end: previousEnd))
    }

    private mutating func parseClause() throws(QueryError) -> Clause {
        if at("MATCH") { return .match(try parseMatchClause(optional: false)) }
        if at("OPTIONAL") {
            let start = advance().range.start
            guard at("MATCH") else { throw expected("MATCH after OPTIONAL") }
            var clause = try parseMatchClause(optional: true)
            clause.range.start = start
            return .match(clause)
        }
        if at("UNWIND") { return .unwind(try parseUnwindClause()) }
        if at("WITH") { return .with(try parseProjection(isReturn: false)) }
        if at("RETURN") { return .returnClause(try parseProjection(isReturn: true)) }
        for keyword in ["CREATE", "MERGE", "DELETE", "SET", "REMOVE", "DETACH"] where at(keyword) {
            throw error("\(keyword) is not supported: Spoor queries are read-only")
        }
        if at("CALL") { return .call(try parseCallClause()) }
        if at("WHERE") { throw error("unexpected WHERE: WHERE must follow MATCH, OPTIONAL MATCH or WITH") }
        throw expected("a clause (MATCH, OPTIONAL MATCH, UNWIND, WITH or RETURN)")
    }

    private mutating func parseMatchClause(optional: Bool) throws(QueryError) -> MatchClause {
        let start = advance().range.start  // MATCH
        var patterns = [try parsePatternPart(after: "MATCH")]
        while consume(.comma) {
            patterns.append(try parsePatternPart(after: "','"))
        }
        var predicate: Expression?
        if consume("WHERE") { predicate = try parseExpression() }
        return MatchClause(optional: optional, patterns: patterns, predicate: predicate, range: SourceRange(start: start, end: previousEnd))
    }

    private mutating func parseUnwindClause() throws(QueryError) -> UnwindClause {
        let start = advance().range.start  // UNWIND
        let expression = try parseExpression()
        try expectKeyword("AS", "AS after the UNWIND expression")
        guard let name = variableName(current) else { throw expected("a variable name after AS") }
        let nameRange = advance().range
        return UnwindClause(expression: expression, variable: name, variableRange: nameRange, range: SourceRange(start: start, end: previousEnd))
    }

    private mutating func parseProjection(isReturn: Bool) throws(QueryError) -> ProjectionClause {
        let clauseName = isReturn ? "RETURN" : "WITH"
        let start = advance().range.start
        let distinct = consume("DISTINCT")
        var star = false
        var items: [ProjectionItem] = []
        if consume(.star) {
            star = true
            if consume(.comma) { items.append(try parseProjectionItem()) }
        } else {
            if current.kind == .endOfInput || at("ORDER") || at("SKIP") || at("LIMIT") {
                throw expected("an expression or '*' after \(clauseName)")
            }
            items.append(try parseProjectionItem())
        }
        while consume(.comma) { items.append(try parseProjectionItem()) }
        var orderBy: [SortItem] = []
        if consume("ORDER") {
            try expectKeyword("BY", "BY after ORDER")
            repeat {
                let expression = try parseExpression()
                var descending = false
                if consume("DESC") || consume("DESCENDING") { descending = true } else if consume("ASC") || consume("ASCENDING") {}
                orderBy.append(SortItem(expression: expression, descending: descending))
            } while consume(.comma)
        }
        var skip: Expression?
        var limit: Expression?
        if consume("SKIP") { skip = try parseExpression() }
        if consume("LIMIT") { limit = try parseExpression() }
        var predicate: Expression?
        if !isReturn, consume("WHERE") { predicate = try parseExpression() }
        if isReturn, at("WHERE") {
            throw error("unexpected WHERE after RETURN: filter in MATCH … WHERE or WITH … WHERE")
        }
        return ProjectionClause(
            distinct: distinct, star: star, items: items, orderBy: orderBy, skip: skip, limit: limit, predicate: predicate,
            range: SourceRange(start: start, end: previousEnd))
    }

    private mutating func parseProjectionItem() throws(QueryError) -> ProjectionItem {
        let expression = try parseExpression()
        var alias: String?
        var aliasRange: SourceRange?
        if consume("AS") {
            guard let name = variableName(current) else { throw expected("a name after AS") }
            alias = name
            aliasRange = advance().range
        }
        return ProjectionItem(expression: expression, alias: alias, aliasRange: aliasRange, text: text(expression.range))
    }

    // MARK: Patterns

    private mutating func parsePatternPart(after context: String) throws(QueryError) -> PatternPart {
        let start = current.range.start
        var pathVariable: String?
        var pathRange: SourceRange?
        if let name = variableName(current), peekIs(1, .equal) {
            pathVariable = name
            pathRange = advance().range
            _ = advance()
        }
        var shortest: ShortestKind?
        var shortestOpen: Token?
        if case .identifier(let word, quoted: false) = current.kind, peekIs(1, .leftParen),
            ["SHORTESTPATH", "ALLSHORTESTPATHS"].contains(word.uppercased()) {
            shortest = word.uppercased() == "SHORTESTPATH" ? .single : .all
            _ = advance()
            shortestOpen = advance()
        }
        guard at(.leftParen) else { throw expected("a pattern starting with '(' after \(context)") }
        var nodes = [try parseNodePattern()]
        var relationships: [RelationshipPattern] = []
        while at(.minus) || (at(.less) && peekIs(1, .minus)) {
            let relationship = try parseRelationshipPattern()
            relationships.append(relationship)
            guard at(.leftParen) else {
                throw expected("a node pattern after '\(text(relationship.range))'")
            }
            nodes.append(try parseNodePattern())
        }
        if let shortestOpen { try expectClosing(.rightParen, opening: shortestOpen) }
        return PatternPart(
            pathVariable: pathVariable, pathVariableRange: pathRange, nodes: nodes, relationships: relationships,
            range: SourceRange(start: start, end: previousEnd), shortest: shortest)
    }

    /// `[p = (a)-->(b) WHERE predicate | projection]` after its '[', or `nil` (and nothing consumed).
    private mutating func parsePatternComprehension(open: Token) throws(QueryError) -> Expression? {
        let savedIndex = index
        let savedDepth = depth
        guard let part = try? parsePatternPart(after: "'['"), !part.relationships.isEmpty, at("WHERE") || at(.pipe) else {
            index = savedIndex
            depth = savedDepth
            return nil
        }
        var predicate: Expression?
        if consume("WHERE") { predicate = try parseExpression() }
        try expect(.pipe, "'|' and the projection of the pattern comprehension")
        let projection = try parseExpression()
        try expectClosing(.rightBracket, opening: open)
        let height = max(predicate?.height ?? 0, projection.height) + 1
        return Expression(
            .patternComprehension(part, predicate: predicate, projection: projection),
            SourceRange(start: open.range.start, end: previousEnd), height: height)
    }

    /// `(a)-[:T]->(b)` in an expression: a pattern of at least one relationship, or `nil` (and nothing consumed).
    private mutating func parsePatternPredicate() -> Expression? {
        let savedIndex = index
        let savedDepth = depth
        if let part = try? parsePatternPart(after: "'('"), !part.relationships.isEmpty {
            return Expression(.pattern(part), part.range)
        }
        index = savedIndex
        depth = savedDepth
        return nil
    }

    private mutating func parseNodePattern() throws(QueryError) -> NodePattern {
        let open = try expect(.leftParen)
        var variable: String?
        var variableRange: SourceRange?
        if let name = variableName(current) {
            variable = name
            variableRange = advance().range
        }
        var labels: [String] = []
        while consume(.colon) {
            labels.append(try parseName("a label name after ':'").0)
        }
        var properties: [MapEntry] = []
        if at(.leftBrace) {
            properties = try parseMapEntries()
        } else if case .parameter = current.kind {
            throw error("a parameter as a whole property map is not supported; write {key: $param}")
        }
        let expectedText = variable == nil && labels.isEmpty && properties.isEmpty ? "a variable, ':', '{' or " : (labels.isEmpty && properties.isEmpty ? "':', '{' or " : (properties.isEmpty ? "':', '{' or " : ""))
        try expectClosing(.rightParen, opening: open, alternatives: expectedText)
        return NodePattern(variable: variable, variableRange: variableRange, labels: labels, properties: properties, range: SourceRange(start: open.range.start, end: previousEnd))
    }

    private mutating func parseRelationshipPattern() throws(QueryError) -> RelationshipPattern {
        let start = current.range.start
        let pointsLeft = consume(.less)
        try expect(.minus, "'-'")
        var variable: String?
        var variableRange: SourceRange?
        var types: [String] = []
        var properties: [MapEntry] = []
        var length: (min: Int, max: Int?)?
        if at(.leftBracket) {
            let open = advance()
            if let name = variableName(current) {
                variable = name
                variableRange = advance().range
            }
            if consume(.colon) {
                types.append(try parseName("a relationship type after ':'").0)
                while consume(.pipe) {
                    _ = consume(.colon)
                    types.append(try parseName("a relationship type after '|'").0)
                }
            }
            if consume(.star) {
                var minimum = 1
                var maximum: Int?
                if case .integer(let value) = current.kind {
                    _ = advance()
                    minimum = Int(clamping: value)
                    maximum = minimum
                }
                if consume(.dotDot) {
                    maximum = nil
                    if case .integer(let value) = current.kind {
                        _ = advance()
                        maximum = Int(clamping: value)
                    }
                }
                length = (minimum, maximum)
            }
            if at(.leftBrace) { properties = try parseMapEntries() }
            try expectClosing(.rightBracket, opening: open)
        }
        guard at(.minus) else {
            throw expected("'-' to finish the relationship pattern '\(text(SourceRange(start: start, end: previousEnd)))'")
        }
        _ = advance()
        let pointsRight = consume(.greater)
        let direction: RelationshipPattern.Direction =
            pointsLeft == pointsRight ? .undirected : (pointsRight ? .leftToRight : .rightToLeft)
        return RelationshipPattern(
            variable: variable, variableRange: variableRange, types: types, properties: properties, direction: direction,
            length: length, range: SourceRange(start: start, end: previousEnd))
    }

    private mutating func parseMapEntries() throws(QueryError) -> [MapEntry] {
        let open = try expect(.leftBrace)
        try enterNesting()
        defer { depth -= 1 }
        var entries: [MapEntry] = []
        if consume(.rightBrace) { return entries }
        repeat {
            let (key, keyRange) = try parseName("a property name in the map")
            guard consume(.colon) else { throw expected("':' after the property name '\(key)'") }
            let value = try parseExpression()
            entries.append(MapEntry(key: key, keyRange: keyRange, value: value))
        } while consume(.comma)
        try expectClosing(.rightBrace, opening: open, alternatives: "',' or ")
        return entries
    }

    // MARK: Expressions

    mutating func parseExpression() throws(QueryError) -> Expression {
        try enterNesting()
        defer { depth -= 1 }
        return try parseBinary(minimumPrecedence: 1)
    }

    private static func precedence(of op: BinaryOperator) -> Int {
        switch op {
        case .or: return 1
        case .xor: return 2
        case .and: return 3
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .regexMatch: return 5
        case .inList, .startsWith, .endsWith, .contains: return 6
        case .add, .subtract: return 7
        case .multiply, .divide, .modulo: return 8
        case .power: return 9
        }
    }

    /// The binary operator at the current token and how many tokens it spans, or `nil`.
    private func binaryOperatorHere() -> (BinaryOperator, Int)? {
        switch current.kind {
        case .symbol(let symbol):
            switch symbol {
            case .equal: return (.equal, 1)
            case .notEqual: return (.notEqual, 1)
            case .less: return (.less, 1)
            case .lessEqual: return (.lessEqual, 1)
            case .greater: return (.greater, 1)
            case .greaterEqual: return (.greaterEqual, 1)
            case .regexMatch: return (.regexMatch, 1)
            case .plus: return (.add, 1)
            case .minus: return (.subtract, 1)
            case .star: return (.multiply, 1)
            case .slash: return (.divide, 1)
            case .percent: return (.modulo, 1)
            case .caret: return (.power, 1)
            default: return nil
            }
        case .identifier(_, quoted: false):
            if at("OR") { return (.or, 1) }
            if at("XOR") { return (.xor, 1) }
            if at("AND") { return (.and, 1) }
            if at("IN") { return (.inList, 1) }
            if at("CONTAINS") { return (.contains, 1) }
            if at("STARTS"), isKeyword(peekToken(1), "WITH") { return (.startsWith, 2) }
            if at("ENDS"), isKeyword(peekToken(1), "WITH") { return (.endsWith, 2) }
            return nil
        default:
            return nil
        }
    }

    private func combined(_ kind: ExpressionKind, _ parts: Expression...) throws(QueryError) -> Expression {
        var range = parts[0].range
        var height = 0
        for part in parts {
            range = range.union(part.range)
            height = max(height, part.height)
        }
        if height + 1 > Parser.maximumHeight {
            throw error("expression too deeply nested: more than \(Parser.maximumHeight) levels of operators", at: range)
        }
        return Expression(kind, range, height: height + 1)
    }

    private mutating func parseBinary(minimumPrecedence: Int) throws(QueryError) -> Expression {
        var left: Expression
        if minimumPrecedence <= 4, at("NOT") {
            let notToken = advance()
            try enterNesting()
            let operand = try parseBinary(minimumPrecedence: 4)
            depth -= 1
            left = try combined(.unary(.not, operand), Expression(.literal(.null), notToken.range), operand)
        } else {
            left = try parseUnary()
        }
        var lastComparison: Expression?  // right operand of the previous comparison, for chains like a < b < c
        while true {
            // IS [NOT] NULL binds like the other predicates (level 6).
            if minimumPrecedence <= 6, at("IS") {
                let start = advance()
                let negated = consume("NOT")
                guard at("NULL") else { throw expected(negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS") }
                let end = advance()
                left = try combined(.isNull(left, negated: negated), left, Expression(.literal(.null), start.range.union(end.range)))
                lastComparison = nil
                continue
            }
            if minimumPrecedence <= 6, at("NOT"), isKeyword(peekToken(1), "IN") {
                throw error("'NOT IN' is not Cypher: write NOT (x IN list)")
            }
            guard let (op, width) = binaryOperatorHere() else { break }
            let precedence = Parser.precedence(of: op)
            guard precedence >= minimumPrecedence else { break }
            for _ in 0..<width { _ = advance() }
            let right: Expression
            if op.isComparison || op == .regexMatch {
                right = try parseBinary(minimumPrecedence: 6)
            } else if precedence == 6 {
                right = try parseBinary(minimumPrecedence: 7)
            } else {
                right = try parseBinary(minimumPrecedence: precedence + 1)
            }
            if op.isComparison, let previous = lastComparison {
                let comparison = try combined(.binary(op, previous, right), previous, right)
                left = try combined(.binary(.and, left, comparison), left, comparison)
            } else {
                left = try combined(.binary(op, left, right), left, right)
            }
            lastComparison = op.isComparison ? right : nil
        }
        return left
    }

    private mutating func parseUnary() throws(QueryError) -> Expression {
        if at(.minus) || at(.plus) {
            let token = advance()
            let isMinus = token.kind == .symbol(.minus)
            if isMinus, case .bigInteger(let digits) = current.kind,
                ["9223372036854775808", "0x8000000000000000", "0o1000000000000000000000"].contains(digits.lowercased()) {
                let literal = advance()
                return try parsePostfix(Expression(.literal(.integer(.min)), token.range.union(literal.range)))
            }
            try enterNesting()
            let operand = try parseUnary()
            depth -= 1
            return try combined(.unary(isMinus ? .minus : .plus, operand), Expression(.literal(.null), token.range), operand)
        }
        return try parsePostfix(try parseAtom())
    }

    private mutating func parsePostfix(_ base: Expression) throws(QueryError) -> Expression {
        var expression = base
        while true {
            if at(.dot) {
                _ = advance()
                let (key, keyRange) = try parseName("a property name after '.'")
                expression = try combined(.property(expression, key: key), expression, Expression(.literal(.null), keyRange))
            } else if at(.leftBracket) {
                let open = advance()
                try enterNesting()
                defer { depth -= 1 }
                if consume(.dotDot) {
                    let to = at(.rightBracket) ? nil : try parseExpression()
                    try expectClosing(.rightBracket, opening: open)
                    expression = try combined(.slice(expression, from: nil, to: to), expression, Expression(.literal(.null), SourceRange(start: open.range.start, end: previousEnd)))
                    continue
                }
                let first = try parseExpression()
                if consume(.dotDot) {
                    let to = at(.rightBracket) ? nil : try parseExpression()
                    try expectClosing(.rightBracket, opening: open)
                    expression = try combined(.slice(expression, from: first, to: to), expression, Expression(.literal(.null), SourceRange(start: open.range.start, end: previousEnd)))
                } else {
                    try expectClosing(.rightBracket, opening: open)
                    expression = try combined(.subscriptAccess(expression, index: first), expression, Expression(.literal(.null), SourceRange(start: open.range.start, end: previousEnd)))
                }
            } else if at(.colon), case .variable = expression.kind {
                var labels: [String] = []
                while consume(.colon) { labels.append(try parseName("a label name after ':'").0) }
                expression = try combined(.hasLabels(expression, labels: labels), expression, Expression(.literal(.null), SourceRange(start: expression.range.start, end: previousEnd)))
            } else {
                return expression
            }
        }
    }

    private mutating func parseAtom() throws(QueryError) -> Expression {
        let token = current
        switch token.kind {
        case .integer(let value):
            _ = advance()
            return Expression(.literal(.integer(value)), token.range)
        case .bigInteger(let digits):
            _ = advance()
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") || digits.hasPrefix("0o") || digits.hasPrefix("0O") {
                throw error("integer literal '\(digits)' is too large: the largest is 2^63 - 1", at: token.range)
            }
            guard let amount = Amount(decimal: digits) else {
                throw error("integer literal too large: the largest is 2^256 - 1", at: token.range)
            }
            return Expression(.literal(.amount(amount)), token.range)
        case .float(let value):
            _ = advance()
            return Expression(.literal(.float(value)), token.range)
        case .string(let value):
            _ = advance()
            return Expression(.literal(.string(value)), token.range)
        case .parameter(let name):
            _ = advance()
            return Expression(.parameter(name), token.range)
        case .symbol(.leftParen):
            if let pattern = parsePatternPredicate() { return pattern }
            _ = advance()
            let inner = try parseExpression()
            try expectClosing(.rightParen, opening: token)
            return Expression(inner.kind, SourceRange(start: token.range.start, end: previousEnd), height: inner.height)
        case .symbol(.leftBracket):
            return try parseListLiteral()
        case .symbol(.leftBrace):
            let entries = try parseMapEntries()
            let height = (entries.map(\.value.height).max() ?? 0) + 1
            return Expression(.map(entries), SourceRange(start: token.range.start, end: previousEnd), height: height)
        case .identifier(let name, let quoted):
            if !quoted {
                switch name.uppercased() {
                case "TRUE": _ = advance(); return Expression(.literal(.bool(true)), token.range)
                case "FALSE": _ = advance(); return Expression(.literal(.bool(false)), token.range)
                case "NULL": _ = advance(); return Expression(.literal(.null), token.range)
                case "CASE": return try parseCase()
                default: break
                }
            }
            if peekIs(1, .leftParen) || (peekIs(1, .dot) && isFunctionNamespace()) {
                return try parseFunctionCall()
            }
            guard let variable = variableName(token) else { throw expected("an expression") }
            _ = advance()
            return Expression(.variable(variable), token.range)
        default:
            throw expected("an expression")
        }
    }

    /// `a.b(` — a namespaced function name such as `spoor.tags(`.
    private func isFunctionNamespace() -> Bool {
        var offset = 1
        while peekIs(offset, .dot) {
            guard case .identifier = peekToken(offset + 1).kind else { return false }
            offset += 2
        }
        return peekIs(offset, .leftParen)
    }

    private mutating func parseFunctionCall() throws(QueryError) -> Expression {
        let start = current.range.start
        var (name, _) = try parseName("a function name")
        while consume(.dot) { name += "." + (try parseName("a function name").0) }
        let open = try expect(.leftParen)
        try enterNesting()
        defer { depth -= 1 }
        if let quantified = try parseQuantifierBody(name: name, start: start, open: open) { return quantified }
        if name.lowercased() == "count", at(.star), peekIs(1, .rightParen) {
            _ = advance()
            _ = advance()
            return Expression(.countStar, SourceRange(start: start, end: previousEnd))
        }
        let distinct = consume("DISTINCT")
        var arguments: [Expression] = []
        if !at(.rightParen) {
            repeat { arguments.append(try parseExpression()) } while consume(.comma)
        }
        try expectClosing(.rightParen, opening: open, alternatives: "',' or ")
        let height = (arguments.map(\.height).max() ?? 0) + 1
        return Expression(.function(name: name, distinct: distinct, arguments: arguments), SourceRange(start: start, end: previousEnd), height: height)
    }

    /// `all(x IN list WHERE predicate)` (also `any`, `none`, `single`), after the `(`: parsed as the function applied
    /// to the list comprehension `[x IN list WHERE predicate]`, which the binder turns into a quantifier.
    private mutating func parseQuantifierBody(name: String, start: Int, open: Token) throws(QueryError) -> Expression? {
        guard ["all", "any", "none", "single"].contains(name.lowercased()),
            let variable = variableName(current), isKeyword(peekToken(1), "IN")
        else { return nil }
        let variableRange = advance().range
        _ = advance()
        let list = try parseExpression()
        try expectKeyword("WHERE", "WHERE and a predicate in \(name)()")
        let predicate = try parseExpression()
        try expectClosing(.rightParen, opening: open)
        let range = SourceRange(start: start, end: previousEnd)
        let height = max(list.height, predicate.height) + 1
        if height + 1 > Parser.maximumHeight {
            throw error("expression too deeply nested: more than \(Parser.maximumHeight) levels of operators", at: range)
        }
        let comprehension = Expression(
            .listComprehension(variable: variable, variableRange: variableRange, list: list, predicate: predicate, projection: nil),
            range, height: height)
        return Expression(.function(name: name, distinct: false, arguments: [comprehension]), range, height: height + 1)
    }

    private mutating func parseListLiteral() throws(QueryError) -> Expression {
        let open = advance()
        try enterNesting()
        defer { depth -= 1 }
        if let comprehension = try parsePatternComprehension(open: open) { return comprehension }
        // [x IN list WHERE predicate | projection]
        if let name = variableName(current), isKeyword(peekToken(1), "IN") {
            let variableRange = advance().range
            _ = advance()
            let list = try parseExpression()
            var predicate: Expression?
            var projection: Expression?
            if consume("WHERE") { predicate = try parseExpression() }
            if consume(.pipe) { projection = try parseExpression() }
            try expectClosing(.rightBracket, opening: open)
            let height = max(list.height, predicate?.height ?? 0, projection?.height ?? 0) + 1
            return Expression(
                .listComprehension(variable: name, variableRange: variableRange, list: list, predicate: predicate, projection: projection),
                SourceRange(start: open.range.start, end: previousEnd), height: height)
        }
        var elements: [Expression] = []
        if !at(.rightBracket) {
            repeat { elements.append(try parseExpression()) } while consume(.comma)
        }
        try expectClosing(.rightBracket, opening: open, alternatives: "',' or ")
        let height = (elements.map(\.height).max() ?? 0) + 1
        return Expression(.list(elements), SourceRange(start: open.range.start, end: previousEnd), height: height)
    }

    private mutating func parseCase() throws(QueryError) -> Expression {
        let start = advance().range.start
        try enterNesting()
        defer { depth -= 1 }
        let subject = at("WHEN") ? nil : try parseExpression()
        var branches: [CaseBranch] = []
        while consume("WHEN") {
            let condition = try parseExpression()
            try expectKeyword("THEN", "THEN after the WHEN condition")
            branches.append(CaseBranch(condition: condition, result: try parseExpression()))
        }
        guard !branches.isEmpty else { throw expected("WHEN in CASE") }
        var otherwise: Expression?
        if consume("ELSE") { otherwise = try parseExpression() }
        try expectKeyword("END", "END to close CASE")
        var height = max(subject?.height ?? 0, otherwise?.height ?? 0)
        for branch in branches { height = max(height, branch.condition.height, branch.result.height) }
        return Expression(.caseExpression(subject: subject, branches: branches, otherwise: otherwise), SourceRange(start: start, end: previousEnd), height: height + 1)
    }
}
