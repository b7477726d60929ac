/// `UNION ALL`: the rows of each input in turn, with that input's result slots copied onto the first input's.
final class UnionSource: RowSource {
    private let inputs: [any RowSource]
    private let sources: [[Int]]
    private let target: [Int]
    private let width: Int
    private var position = 0

    init(inputs: [any RowSource], sources: [[Int]], target: [Int], width: Int) {
        self.inputs = inputs
        self.sources = sources
        self.target = target
        self.width = width
    }

    func next() throws(QueryError) -> [Value]? {
        while position < inputs.count {
            if let row = try inputs[position].next() {
                var out = [Value](repeating: .null, count: width)
                for (from, to) in zip(sources[position], target) where from < row.count && to < width { out[to] = row[from] }
                return out
            }
            position += 1
        }
        return nil
    }
}

/// `CALL proc(args) YIELD …`: evaluates the arguments per input row, runs the procedure and emits one row per result.
final class ProcedureCallSource: RowSource {
    private let input: any RowSource
    private let call: BoundCall
    private let procedure: Procedure
    private let procedures: ProcedureRegistry
    private let context: ExecutionContext
    private var current: [Value]?
    private var results: [[Value]] = []
    private var position = 0

    init(input: any RowSource, call: BoundCall, procedure: Procedure, procedures: ProcedureRegistry, context: ExecutionContext) {
        self.input = input
        self.call = call
        self.procedure = procedure
        self.procedures = procedures
        self.context = context
    }

    private func run(_ row: [Value]) throws(QueryError) -> [[Value]] {
        var arguments: [Value] = []
        for (index, expression) in call.arguments.enumerated() {
            let value = try context.evaluate(expression, row)
            if index < procedure.parameters.count {
                let parameter = procedure.parameters[index]
                guard parameter.type.accepts(value) else {
                    throw QueryError(.runtime, "type mismatch: argument '\(parameter.name)' of \(procedure.name) expects \(parameter.type.rawValue), found \(value.typeName)", at: expression.range ?? call.range)
                }
            }
            arguments.append(value)
        }
        let context = self.context
        let invocation = ProcedureInvocation(graph: context.graph, arguments: arguments, procedures: procedures) { (count) throws(QueryError) in
            try context.countExpansions(count)
        }
        do {
            return try procedure.body(invocation)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(.runtime, "procedure \(procedure.name) failed: \(error)", at: call.range)
        }
    }

    func next() throws(QueryError) -> [Value]? {
        while true {
            if var row = current, position < results.count {
                let result = results[position]
                position += 1
                for yield in call.yields where yield.slot < row.count {
                    row[yield.slot] = yield.column < result.count ? result[yield.column] : .null
                }
                return row
            }
            guard let row = try input.next() else { return nil }
            try context.tick()
            current = row
            results = try run(row)
            if call.passThrough { results = [[]] }
            position = 0
        }
    }
}

/// Rows produced, time spent (including inputs) and store reads by one operator of a `PROFILE` run.
final class OperatorProfile {
    let summary: String
    var rows = 0
    var time: Duration = .zero
    /// Reads during this operator's pulls, its inputs' included.
    var reads = GraphReads()
    /// The graph whose reads are counted, when it counts them.
    let graph: (any GraphStatistics)?
    var children: [OperatorProfile] = []

    init(_ summary: String, reads graph: (any GraphStatistics)?) {
        self.summary = summary
        self.graph = graph
    }

    func render(into lines: inout [String], indent: Int) {
        let milliseconds = Double(time.components.seconds) * 1000 + Double(time.components.attoseconds) / 1e15
        let timeText = String(Int((milliseconds * 1000).rounded()))
        var line = String(repeating: "  ", count: indent) + "\(summary)  rows: \(rows), time: \(timeText) µs"
        if graph != nil {
            // An operator's own reads: what its inputs read is on their lines.
            let own = children.reduce(reads) { $0 - $1.reads }
            line += ", store reads: " + own.summary
        }
        lines.append(line)
        for child in children { child.render(into: &lines, indent: indent + 1) }
    }
}

/// Counts the rows, the time and the store reads of the operator it wraps.
final class ProfiledSource: RowSource {
    private let inner: any RowSource
    private let stats: OperatorProfile

    init(_ inner: any RowSource, stats: OperatorProfile) {
        self.inner = inner
        self.stats = stats
    }

    func next() throws(QueryError) -> [Value]? {
        let start = ContinuousClock.now
        let readsBefore = stats.graph?.reads
        defer {
            stats.time += ContinuousClock.now - start
            if let readsBefore, let after = stats.graph?.reads { stats.reads = stats.reads + (after - readsBefore) }
        }
        let row = try inner.next()
        if row != nil { stats.rows += 1 }
        return row
    }
}

/// A bound pattern predicate and the slots of the enclosing row it reads.
struct PatternExistence: Sendable {
    var match: BoundMatch
    var outerSlots: Set<Int>
}

extension ExecutionContext {
    /// Whether `pattern` has a match extending `row` (stops at the first one).
    func patternHasMatch(_ pattern: PatternExistence, _ row: [Value]) throws(QueryError) -> Bool {
        let plan = Planner(graph: graph).planExistence(pattern.match)
        let argument = ArgumentSource()
        argument.reset(row)
        let source = OperatorBuilder.build(plan, context: self, width: row.count, argument: argument)
        return try source.next() != nil
    }
}

extension ExecutionContext {
    /// The projection of every match of `pattern` extending `row`, in match order.
    func patternComprehension(_ pattern: PatternExistence, projection: BoundExpression, _ row: [Value]) throws(QueryError) -> Value {
        let plan = Planner(graph: graph).planExistence(pattern.match)
        let argument = ArgumentSource()
        argument.reset(row)
        let source = OperatorBuilder.build(plan, context: self, width: row.count, argument: argument)
        var values: [Value] = []
        while let matched = try source.next() {
            try tick()
            values.append(try evaluate(projection, matched))
        }
        return .list(values)
    }
}
