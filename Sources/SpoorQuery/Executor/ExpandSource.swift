/// Follows relationships from a bound node: one hop, or a variable-length run of hops with distinct relationships.
final class ExpandSource: RowSource {
    private let input: any RowSource
    private let spec: PlanOperation.Expansion
    private let context: ExecutionContext
    private var pending: [[Value]] = []
    private var pendingPosition = 0

    init(input: any RowSource, spec: PlanOperation.Expansion, context: ExecutionContext) {
        self.input = input
        self.spec = spec
        self.context = context
    }

    private func expand(_ node: NodeID) throws(QueryError) -> [GraphRelationship] {
        do {
            let found = try context.graph.expand(node, direction: spec.direction, types: spec.types)
            try context.countExpansions(found.count)
            return found
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(.runtime, "graph read failed: \(error)", at: SourceRange(start: 0, end: 0))
        }
    }

    /// The relationships already used by this MATCH in `row`.
    private func used(in row: [Value]) -> Set<RelationshipID> {
        var ids = Set<RelationshipID>()
        for slot in spec.distinctFrom where slot < row.count {
            switch row[slot] {
            case .relationship(let r): ids.insert(r.id)
            case .list(let items):
                for item in items { if case .relationship(let r) = item { ids.insert(r.id) } }
            default: break
            }
        }
        return ids
    }

    private func accepts(_ row: [Value], end: NodeID) -> Bool {
        guard spec.into else { return true }
        if case .node(let target) = row[spec.to] { return target == end }
        return false
    }

    private func produce(from row: [Value]) throws(QueryError) {
        pending.removeAll(keepingCapacity: true)
        pendingPosition = 0
        guard spec.from < row.count, case .node(let start) = row[spec.from] else { return }
        let usedIDs = used(in: row)
        guard let bounds = spec.length else {
            for r in try expand(start) where !usedIDs.contains(r.id) {
                if spec.relationshipBound {
                    guard case .relationship(let bound) = row[spec.relationship], bound == r else { continue }
                }
                let end = r.start == start ? r.end : r.start
                guard accepts(row, end: end) else { continue }
                var out = row
                out[spec.relationship] = .relationship(r)
                out[spec.to] = .node(end)
                pending.append(out)
            }
            return
        }
        // Depth-first over paths of distinct relationships, min...max hops.
        let maximum = bounds.max ?? Int.max
        var path: [GraphRelationship] = []
        var stack: [(node: NodeID, relationships: [GraphRelationship], position: Int)] = []
        func emit(_ end: NodeID) {
            guard path.count >= bounds.min, accepts(row, end: end) else { return }
            var out = row
            out[spec.relationship] = .list(path.map(Value.relationship))
            out[spec.to] = .node(end)
            pending.append(out)
        }
        emit(start)
        if maximum > 0 { stack.append((start, try expand(start), 0)) }
        while let top = stack.last {
            try context.tick()
            if top.position >= top.relationships.count {
                stack.removeLast()
                if !path.isEmpty { path.removeLast() }
                continue
            }
            let r = top.relationships[top.position]
            stack[stack.count - 1].position += 1
            if usedIDs.contains(r.id) || path.contains(r) { continue }
            let end = r.start == top.node ? r.end : r.start
            path.append(r)
            emit(end)
            if path.count < maximum {
                stack.append((end, try expand(end), 0))
            } else {
                path.removeLast()
            }
        }
    }

    func next() throws(QueryError) -> [Value]? {
        while true {
            if pendingPosition < pending.count {
                defer { pendingPosition += 1 }
                return pending[pendingPosition]
            }
            guard let row = try input.next() else { return nil }
            try context.tick()
            try produce(from: row)
        }
    }
}
