import SpoorStore

/// Drops rows equal (by equivalence) on the given slots to an earlier row.
final class DistinctSource: RowSource {
    private let input: any RowSource
    private let slots: [Int]
    private var seen: Set<[Value]> = []

    init(input: any RowSource, slots: [Int]) {
        self.input = input
        self.slots = slots
    }

    func next() throws(QueryError) -> [Value]? {
        while let row = try input.next() {
            let key = slots.map { $0 < row.count ? row[$0] : .null }
            if seen.insert(key).inserted { return row }
        }
        return nil
    }
}

/// Eager sort by keys in openCypher order (nulls last ascending, first descending); ties keep input order.
final class SortSource: RowSource {
    private let input: any RowSource
    private let keys: [(expression: BoundExpression, descending: Bool, text: String)]
    private let context: ExecutionContext
    private var sorted: [[Value]]?
    private var position = 0

    init(input: any RowSource, keys: [(expression: BoundExpression, descending: Bool, text: String)], context: ExecutionContext) {
        self.input = input
        self.keys = keys
        self.context = context
    }

    func next() throws(QueryError) -> [Value]? {
        if sorted == nil {
            var entries: [(keys: [Value], index: Int, row: [Value])] = []
            while let row = try input.next() {
                try context.tick()
                var values: [Value] = []
                for key in keys { values.append(try context.evaluate(key.expression, row)) }
                entries.append((values, entries.count, row))
            }
            let descending = keys.map(\.descending)
            entries.sort { lhs, rhs in
                for (offset, isDescending) in descending.enumerated() {
                    let c = ValueOperations.order(lhs.keys[offset], rhs.keys[offset])
                    if c != 0 { return isDescending ? c > 0 : c < 0 }
                }
                return lhs.index < rhs.index
            }
            sorted = entries.map(\.row)
        }
        guard let sorted, position < sorted.count else { return nil }
        defer { position += 1 }
        return sorted[position]
    }
}

/// `SKIP n` or `LIMIT n`; `LIMIT` stops pulling its input once it has returned n rows.
final class SkipLimitSource: RowSource {
    private let input: any RowSource
    private let isLimit: Bool
    private let countExpression: BoundExpression
    private let context: ExecutionContext
    private var count: Int?
    private var seen = 0

    init(input: any RowSource, isLimit: Bool, count: BoundExpression, context: ExecutionContext) {
        self.input = input
        self.isLimit = isLimit
        countExpression = count
        self.context = context
    }

    private func resolveCount() throws(QueryError) -> Int {
        let value = try context.evaluate(countExpression, [])
        let what = isLimit ? "LIMIT" : "SKIP"
        let range = countExpression.range ?? SourceRange(start: 0, end: 0)
        switch value {
        case .integer(let i) where i >= 0: return Int(clamping: i)
        case .amount(let a): return a.int64Value.map { Int(clamping: $0) } ?? Int.max
        default:
            throw QueryError(.runtime, "\(what) expects a non-negative integer, found \(Rendering.literalText(value))", at: range)
        }
    }

    func next() throws(QueryError) -> [Value]? {
        if count == nil { count = try resolveCount() }
        let n = count ?? 0
        if isLimit {
            guard seen < n else { return nil }
            seen += 1
            return try input.next()
        }
        while seen < n {
            guard try input.next() != nil else { return nil }
            seen += 1
        }
        return try input.next()
    }
}
