/// A pull-based operator: each call returns the next row or `nil` when done. Rows are arrays of slot values.
protocol RowSource: AnyObject {
    func next() throws(QueryError) -> [Value]?
}

/// One row of nulls, once.
final class StartSource: RowSource {
    private var done = false
    private let width: Int

    init(width: Int) { self.width = width }

    func next() throws(QueryError) -> [Value]? {
        guard !done else { return nil }
        done = true
        return Array(repeating: .null, count: width)
    }
}

/// The current outer row of an `OPTIONAL MATCH`, once per ``reset(_:)``.
final class ArgumentSource: RowSource {
    private var row: [Value]?

    func reset(_ row: [Value]) { self.row = row }

    func next() throws(QueryError) -> [Value]? {
        defer { row = nil }
        return row
    }
}

/// Keeps rows whose predicate is true.
final class FilterSource: RowSource {
    private let input: any RowSource
    private let predicate: BoundExpression
    private let context: ExecutionContext

    init(input: any RowSource, predicate: BoundExpression, context: ExecutionContext) {
        self.input = input
        self.predicate = predicate
        self.context = context
    }

    func next() throws(QueryError) -> [Value]? {
        while let row = try input.next() {
            try context.tick()
            let value = try context.evaluate(predicate, row)
            switch value {
            case .bool(true): return row
            case .bool(false), .null: continue
            default: break
            }
            throw QueryError(.runtime, "type mismatch: WHERE expects a Boolean, found \(value.typeName)", at: predicate.range ?? SourceRange(start: 0, end: 0))
        }
        return nil
    }
}

/// Computes expressions into slots.
final class ProjectSource: RowSource {
    private let input: any RowSource
    private let items: [(slot: Int, expression: BoundExpression, name: String)]
    private let context: ExecutionContext

    init(input: any RowSource, items: [(slot: Int, expression: BoundExpression, name: String)], context: ExecutionContext) {
        self.input = input
        self.items = items
        self.context = context
    }

    func next() throws(QueryError) -> [Value]? {
        guard var row = try input.next() else { return nil }
        var values: [Value] = []
        values.reserveCapacity(items.count)
        for item in items { values.append(try context.evaluate(item.expression, row)) }
        for (item, value) in zip(items, values) where item.slot < row.count { row[item.slot] = value }
        return row
    }
}

/// `UNWIND`: one row per list element.
final class UnwindSource: RowSource {
    private let input: any RowSource
    private let expression: BoundExpression
    private let slot: Int
    private let context: ExecutionContext
    private var current: [Value]?
    private var items: [Value] = []
    private var position = 0

    init(input: any RowSource, expression: BoundExpression, slot: Int, context: ExecutionContext) {
        self.input = input
        self.expression = expression
        self.slot = slot
        self.context = context
    }

    func next() throws(QueryError) -> [Value]? {
        while true {
            if var row = current, position < items.count {
                row[slot] = items[position]
                position += 1
                return row
            }
            guard let row = try input.next() else { return nil }
            try context.tick()
            current = row
            position = 0
            switch try context.evaluate(expression, row) {
            case .null: items = []
            case .list(let list): items = list
            case let single: items = [single]
            }
        }
    }
}

/// `OPTIONAL MATCH`: the inner plan's rows for each input row, or the input row with the new slots null.
final class OptionalSource: RowSource {
    private let input: any RowSource
    private let argument: ArgumentSource
    private let inner: any RowSource
    private let nullSlots: [Int]
    private var matchedCurrent = false
    private var current: [Value]?

    init(input: any RowSource, argument: ArgumentSource, inner: any RowSource, nullSlots: [Int]) {
        self.input = input
        self.argument = argument
        self.inner = inner
        self.nullSlots = nullSlots
    }

    func next() throws(QueryError) -> [Value]? {
        while true {
            if let row = current {
                if let matched = try inner.next() {
                    matchedCurrent = true
                    return matched
                }
                current = nil
                if !matchedCurrent {
                    var padded = row
                    for slot in nullSlots where slot < padded.count { padded[slot] = .null }
                    return padded
                }
            }
            guard let row = try input.next() else { return nil }
            current = row
            matchedCurrent = false
            argument.reset(row)
        }
    }
}

extension BoundExpression {
    /// The source range of the expression, where it has one.
    var range: SourceRange? {
        switch self {
        case .parameter(_, let r), .property(_, _, let r), .hasLabels(_, _, let r), .subscriptAccess(_, _, let r),
            .slice(_, _, _, let r), .not(_, let r), .negate(_, let r), .and(_, _, let r), .or(_, _, let r),
            .xor(_, _, let r), .binary(_, _, _, let r), .function(_, _, let r), .listComprehension(_, _, _, _, let r):
            return r
        default: return nil
        }
    }
}
