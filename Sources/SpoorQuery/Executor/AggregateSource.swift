/// Eager aggregation with implicit grouping by the non-aggregate items.
final class AggregateSource: RowSource {
    private let input: any RowSource
    private let keys: [(slot: Int, expression: BoundExpression, name: String)]
    private let aggregates: [BoundProjection.Aggregate]
    private let outputs: [(slot: Int, expression: BoundExpression, name: String)]
    private let context: ExecutionContext
    private let width: Int
    private var results: [[Value]]?
    private var position = 0

    init(
        input: any RowSource, keys: [(slot: Int, expression: BoundExpression, name: String)],
        aggregates: [BoundProjection.Aggregate], outputs: [(slot: Int, expression: BoundExpression, name: String)],
        context: ExecutionContext, width: Int
    ) {
        self.input = input
        self.keys = keys
        self.aggregates = aggregates
        self.outputs = outputs
        self.context = context
        self.width = width
    }

    /// Without grouping keys, over a frontier, with every aggregate reading a reached-node slot as is
    /// (`count(DISTINCT d)`): the aggregates take the reached nodes straight from the frontier, without rows.
    private func computeOverFrontier() throws(QueryError) -> [[Value]]? {
        guard keys.isEmpty, let frontier = input as? FrontierSource else { return nil }
        let reached = Set(frontier.spec.outputSlots)
        for aggregate in aggregates {
            guard case .slot(let slot)? = aggregate.argument, reached.contains(slot) else { return nil }
        }
        var accumulators = aggregates.map(Accumulator.init)
        for node in try frontier.drainNodes() {
            try context.tick()
            for index in accumulators.indices { try accumulators[index].add(.node(node)) }
        }
        var row = Array(repeating: Value.null, count: width)
        var values: [Value] = []
        for accumulator in accumulators { values.append(try accumulator.result()) }
        for output in outputs { row[output.slot] = try context.evaluate(output.expression, row, aggregates: values) }
        return [row]
    }

    private func compute() throws(QueryError) -> [[Value]] {
        if let rows = try computeOverFrontier() { return rows }
        var groupIndex: [[Value]: Int] = [:]
        var groupKeys: [[Value]] = []
        var accumulators: [[Accumulator]] = []
        while let row = try input.next() {
            try context.tick()
            var key: [Value] = []
            key.reserveCapacity(keys.count)
            for item in keys { key.append(try context.evaluate(item.expression, row)) }
            let index: Int
            if let existing = groupIndex[key] {
                index = existing
            } else {
                index = groupKeys.count
                groupIndex[key] = index
                groupKeys.append(key)
                accumulators.append(aggregates.map(Accumulator.init))
            }
            for (offset, aggregate) in aggregates.enumerated() {
                let value = try aggregate.argument.map { (e) throws(QueryError) in try context.evaluate(e, row) } ?? .bool(true)
                try accumulators[index][offset].add(value)
            }
        }
        // Without grouping keys, an empty input still gives one row (count(*) = 0).
        if keys.isEmpty, groupKeys.isEmpty {
            groupKeys.append([])
            accumulators.append(aggregates.map(Accumulator.init))
        }
        var rows: [[Value]] = []
        rows.reserveCapacity(groupKeys.count)
        for (index, key) in groupKeys.enumerated() {
            var row = Array(repeating: Value.null, count: width)
            for (item, value) in zip(keys, key) { row[item.slot] = value }
            var values: [Value] = []
            for accumulator in accumulators[index] { values.append(try accumulator.result()) }
            for output in outputs { row[output.slot] = try context.evaluate(output.expression, row, aggregates: values) }
            rows.append(row)
        }
        return rows
    }

    func next() throws(QueryError) -> [Value]? {
        if results == nil { results = try compute() }
        guard let results, position < results.count else { return nil }
        defer { position += 1 }
        return results[position]
    }
}

/// The running state of one aggregate in one group.
struct Accumulator {
    let aggregate: BoundProjection.Aggregate
    private var seen: Set<Value> = []
    private let seenNodes = NodeIDSet()
    private var count: Int64 = 0
    private var exactSum = WideInteger.zero
    private var floatSum = 0.0
    private var sawFloat = false
    private var sawAmount = false
    private var best: Value?
    private var items: [Value] = []
    private var percentile: Double?

    init(_ aggregate: BoundProjection.Aggregate) { self.aggregate = aggregate }

    mutating func add(_ value: Value) throws(QueryError) {
        if aggregate.kind == .countStar {
            count += 1
            return
        }
        if case .null = value { return }
        if aggregate.distinct {
            // Nodes apart, by id: a node equals only the same node.
            if case .node(let node) = value {
                guard seenNodes.insert(node) else { return }
            } else if !seen.insert(value).inserted {
                return
            }
        }
        switch aggregate.kind {
        case .count, .countStar:
            count += 1
        case .sum, .avg:
            count += 1
            switch value {
            case .integer, .amount:
                if case .amount = value { sawAmount = true }
                guard let wide = WideInteger(value), let sum = exactSum.adding(wide) else {
                    throw QueryError(.runtime, "overflow in \(aggregate.text): the sum exceeds 2^256 - 1", at: aggregate.range)
                }
                exactSum = sum
            case .float(let d):
                sawFloat = true
                floatSum += d
            default:
                throw QueryError(.runtime, "type mismatch: \(aggregate.kind.rawValue)() expects numbers, found \(value.typeName)", at: aggregate.range)
            }
        case .min, .max:
            if let current = best {
                let c = ValueOperations.order(value, current)
                if aggregate.kind == .min ? c < 0 : c > 0 { best = value }
            } else {
                best = value
            }
        case .collect:
            items.append(value)
        case .percentileCont, .percentileDisc:
            // The argument is [x, p]: keep x (when not null) and check p on every row.
            guard case .list(let pair) = value, pair.count == 2 else { return }
            percentile = try Percentile.fraction(pair[1], aggregate)
            if case .null = pair[0] { return }
            guard ValueOperations.Number(pair[0]) != nil else {
                throw QueryError(.runtime, "type mismatch: \(aggregate.kind.rawValue)() expects numbers, found \(pair[0].typeName)", at: aggregate.range)
            }
            items.append(pair[0])
        }
    }

    func result() throws(QueryError) -> Value {
        switch aggregate.kind {
        case .count, .countStar: return .integer(count)
        case .collect: return .list(items)
        case .percentileCont, .percentileDisc:
            return Percentile.result(of: items, percentile ?? 0, continuous: aggregate.kind == .percentileCont)
        case .min, .max: return best ?? .null
        case .avg:
            guard count > 0 else { return .null }
            return .float((exactSum.doubleValue + floatSum) / Double(count))
        case .sum:
            if sawFloat { return .float(exactSum.doubleValue + floatSum) }
            if sawAmount {
                guard let value = exactSum.amountResult else {
                    throw QueryError(.runtime, "overflow in \(aggregate.text): a negative sum below -2^63", at: aggregate.range)
                }
                return value
            }
            guard let value = exactSum.int64Value else {
                throw QueryError(.runtime, "integer overflow in \(aggregate.text)", at: aggregate.range)
            }
            return .integer(value)
        }
    }
}
