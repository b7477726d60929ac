/// The distinct nodes reached from the input rows' nodes, computed a set at a time (``PlanOperation/frontier(_:)``).
///
/// It reads every input row first and collects the distinct non-null nodes in the expansion's `from` slot (the
/// sources). Neighbours come from ``GraphAccess/appendNeighbors(of:direction:types:to:)``: no relationship is built
/// and each source is expanded once however many rows carry it. It then returns one row per distinct reached node
/// that passes the filters, in the order first reached, with that node in every output slot and null elsewhere.
///
/// One hop: the reached set is the union of the sources' neighbours (with a self-loop, the source itself).
///
/// A directed variable-length run `*min..max` with `min` 0 or 1 (`max` possibly unbounded), per source `s`, by
/// breadth-first levels over node ids instead of path enumeration. Path enumeration returns an end `e` when some
/// walk from `s` to `e` of length in `min...max` uses no relationship twice. These are the same ends:
/// - `e ≠ s`: if `e` is at breadth-first distance `d` with `1 ≤ d ≤ max`, a shortest walk to it visits no node
///   twice, so uses no relationship twice, and has length `d ≥ min`. Conversely every such walk bounds `d` by its
///   length, so `d ≤ max`. Hence `e` is an end iff `1 ≤ dist(s, e) ≤ max`.
/// - `e = s`: with `min = 0` the empty path makes `s` an end. With `min = 1`, `s` is an end iff a closed trail
///   (no relationship twice) of length `L ≤ max` leaves and returns to `s`, iff some node `v` at distance
///   `d ≤ max - 1` has a relationship into `s` (distance 0 is `s` itself: a self-loop). If such `v` exists, a
///   shortest walk `s → v` visits distinct nodes, so none of its relationships ends at `s`; the relationship
///   `v → s` is therefore not on it and appending it gives a closed trail of length `d + 1 ≤ max`. Conversely the
///   last relationship of a closed trail of length `L` leaves a node at distance `≤ L - 1 ≤ max - 1`.
/// The breadth-first search records exactly this: while expanding level `d` nodes (`d < max`) it notes any
/// neighbour equal to `s`. Undirected runs keep path enumeration: there the relationship back into `s` can be the
/// one a shortest walk used to leave it.
final class FrontierSource: RowSource {
    private let input: any RowSource
    let spec: PlanOperation.Frontier
    private let context: ExecutionContext
    private let width: Int
    private var reached: [NodeID]?
    private var position = 0

    /// Hoisted out of `spec` (copying the expansion per call would retain its names and lists every time).
    private let graph: any GraphAccess
    private let direction: ExpandDirection
    private let types: [String]
    /// Label checks on a reached-node slot (done through the graph), and whether other filters need a row.
    private let labelChecks: [(labels: [String], range: SourceRange)]
    private let needsRow: Bool

    init(input: any RowSource, spec: PlanOperation.Frontier, context: ExecutionContext, width: Int) {
        self.input = input
        self.spec = spec
        self.context = context
        self.width = width
        graph = context.graph
        direction = spec.expansion.direction
        types = spec.expansion.types
        var labelChecks: [(labels: [String], range: SourceRange)] = []
        var needsRow = false
        for filter in spec.filters {
            if case .hasLabels(.slot(let slot), let labels, let range) = filter.expression, spec.outputSlots.contains(slot) {
                labelChecks.append((labels, range))
            } else {
                needsRow = true
            }
        }
        self.labelChecks = labelChecks
        self.needsRow = needsRow
    }

    /// Replaces `buffer` with the neighbours of `node`, each counted against `maxExpansions`.
    private func loadNeighbors(of node: NodeID, into buffer: inout [NodeID]) throws(QueryError) {
        buffer.removeAll(keepingCapacity: true)
        do {
            try graph.appendNeighbors(of: node, direction: direction, types: types, to: &buffer)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(.runtime, "graph read failed: \(error)", at: SourceRange(start: 0, end: 0))
        }
        try context.countExpansions(buffer.count)
    }

    /// The reached nodes not returned yet that pass the filters, all at once and without building rows: what a
    /// frontier reading this one as its input takes (its `from` slot is one of this frontier's output slots).
    func drainNodes() throws(QueryError) -> [NodeID] {
        if reached == nil { reached = try compute() }
        guard let reached else { return [] }
        var nodes: [NodeID] = []
        if spec.filters.isEmpty {
            nodes.append(contentsOf: reached[position...])
        } else {
            for node in reached[position...] {
                try context.tick()
                if try passes(node) { nodes.append(node) }
            }
        }
        position = reached.count
        return nodes
    }

    private func sources() throws(QueryError) -> [NodeID] {
        let from = spec.expansion.from
        if let upstream = input as? FrontierSource, upstream.spec.outputSlots.contains(from) {
            return try upstream.drainNodes()  // distinct already
        }
        let seen = NodeIDSet()
        var sources: [NodeID] = []
        while let row = try input.next() {
            try context.tick()
            guard from < row.count, case .node(let node) = row[from] else { continue }
            if seen.insert(node) { sources.append(node) }
        }
        return sources
    }

    private func compute() throws(QueryError) -> [NodeID] {
        let sources = try sources()
        var result: [NodeID] = []
        let inResult = NodeIDSet(capacity: 1024)
        var buffer: [NodeID] = []
        guard let bounds = spec.expansion.length else {
            for source in sources {
                try loadNeighbors(of: source, into: &buffer)
                for node in buffer where inResult.insert(node) { result.append(node) }
            }
            return result
        }
        let maximum = bounds.max ?? Int.max
        guard maximum >= bounds.min else { return [] }  // `*3..1` matches nothing
        var frontier: [NodeID] = []
        var next: [NodeID] = []
        for source in sources {
            let visited = NodeIDSet(capacity: 1024)
            visited.insert(source)
            var sourceIsEnd = bounds.min == 0
            frontier.removeAll(keepingCapacity: true)
            frontier.append(source)
            var level = 0
            while level < maximum, !frontier.isEmpty {
                level += 1
                next.removeAll(keepingCapacity: true)
                for node in frontier {
                    try loadNeighbors(of: node, into: &buffer)
                    for neighbor in buffer {
                        if neighbor == source {
                            // `node` is at distance level - 1 <= maximum - 1: a closed trail through the source.
                            sourceIsEnd = true
                        } else if visited.insert(neighbor) {
                            next.append(neighbor)
                            if inResult.insert(neighbor) { result.append(neighbor) }
                        }
                    }
                }
                swap(&frontier, &next)
            }
            if sourceIsEnd, inResult.insert(source) { result.append(source) }
        }
        return result
    }

    func next() throws(QueryError) -> [Value]? {
        if reached == nil { reached = try compute() }
        guard let reached else { return nil }
        while position < reached.count {
            let node = reached[position]
            position += 1
            try context.tick()
            if try passes(node) { return row(node) }
        }
        return nil
    }

    /// Whether `node` passes the filters: label checks on a reached-node slot straight through the graph, any
    /// other filter on a row holding `node` in the output slots (built only then).
    private func passes(_ node: NodeID) throws(QueryError) -> Bool {
        if !labelChecks.isEmpty {
            for check in labelChecks {
                do {
                    let nodeLabels = try graph.labels(of: node)
                    if !check.labels.allSatisfy(nodeLabels.contains) { return false }
                } catch let error as QueryError {
                    throw error
                } catch {
                    throw QueryError(.runtime, "graph read failed: \(error)", at: check.range)
                }
            }
        }
        guard needsRow else { return true }
        return try passes(row(node))
    }

    private func row(_ node: NodeID) -> [Value] {
        var row = Array(repeating: Value.null, count: width)
        for slot in spec.outputSlots where slot < width { row[slot] = .node(node) }
        return row
    }

    private func passes(_ row: [Value]) throws(QueryError) -> Bool {
        for filter in spec.filters {
            if case .hasLabels(.slot(let slot), _, _) = filter.expression, spec.outputSlots.contains(slot) { continue }
            let value = try context.evaluate(filter.expression, row)
            switch value {
            case .bool(true): continue
            case .bool(false), .null: return false
            default:
                throw QueryError(
                    .runtime, "type mismatch: WHERE expects a Boolean, found \(value.typeName)",
                    at: filter.expression.range ?? SourceRange(start: 0, end: 0))
            }
        }
        return true
    }
}
