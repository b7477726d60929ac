/// Follows relationships from a bound node: one hop, or a variable-length run of hops with distinct relationships.
final class ExpandSource: RowSource {
    private let input: any RowSource
    private let spec: PlanOperation.Expansion
    private let context: ExecutionContext
    private var pending: [[Value]] = []
    private var pendingPosition = 0
    private var neighbors: [NodeID] = []

    init(input: any RowSource, spec: PlanOperation.Expansion, context: ExecutionContext) {
        self.input = input
        self.spec = spec
        self.context = context
    }

    /// Replaces `neighbors` with the far ends of `node`'s relationships (``PlanOperation/Expansion/neighborsOnly``).
    private func loadNeighbors(of node: NodeID) throws(QueryError) {
        neighbors.removeAll(keepingCapacity: true)
        do {
            try context.graph.appendNeighbors(of: node, direction: spec.direction, types: spec.types, to: &neighbors)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(.runtime, "graph read failed: \(error)", at: SourceRange(start: 0, end: 0))
        }
        try context.countExpansions(neighbors.count)
    }

    private func expand(_ node: NodeID, direction: ExpandDirection? = nil) throws(QueryError) -> [GraphRelationship] {
        do {
            let found = try context.graph.expand(node, direction: direction ?? spec.direction, types: spec.types)
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
        if let shortest = spec.shortest {
            guard spec.to < row.count, case .node(let goal) = row[spec.to] else { return }
            for path in try shortestPaths(from: start, to: goal, all: shortest == .all) {
                var out = row
                out[spec.relationship] = .list(path.map(Value.relationship))
                pending.append(out)
            }
            return
        }
        if spec.neighborsOnly {
            // Nothing reads the relationship and the pattern has no other one to keep distinct from.
            try loadNeighbors(of: start)
            for end in neighbors where accepts(row, end: end) {
                var out = row
                out[spec.to] = .node(end)
                pending.append(out)
            }
            return
        }
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
        guard maximum >= bounds.min else { return }  // `*3..1` matches nothing (openCypher TCK Match5 [11-13]).
        var path: [GraphRelationship] = []
        var stack: [(node: NodeID, relationships: [GraphRelationship], position: Int)] = []
        func emit(_ end: NodeID) {
            guard path.count >= bounds.min, accepts(row, end: end) else { return }
            var out = row
            out[spec.relationship] = .list((spec.reversed ? path.reversed() : path).map(Value.relationship))
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

    /// Shortest paths from `start` to `goal` by breadth-first search from both ends (the smaller frontier grows first).
    /// Every relationship read counts against `maxExpansions`.
    private func shortestPaths(from start: NodeID, to goal: NodeID, all: Bool) throws(QueryError) -> [[GraphRelationship]] {
        let minimum = spec.length?.min ?? 1
        let maximum = spec.length?.max ?? Int.max
        if start == goal { return minimum == 0 ? [[]] : [] }
        if maximum < 1 { return [] }
        let reverse: ExpandDirection = spec.direction == .outgoing ? .incoming : (spec.direction == .incoming ? .outgoing : .both)
        // parents[node] = (neighbour one step closer to that side's origin, relationship between them).
        var forwardDepth: [NodeID: Int] = [start: 0]
        var backwardDepth: [NodeID: Int] = [goal: 0]
        var forwardParents: [NodeID: [(NodeID, GraphRelationship)]] = [:]
        var backwardParents: [NodeID: [(NodeID, GraphRelationship)]] = [:]
        var forwardFrontier = [start]
        var backwardFrontier = [goal]
        var forwardLevel = 0
        var backwardLevel = 0
        var meeting: [NodeID] = []
        while meeting.isEmpty, !forwardFrontier.isEmpty, !backwardFrontier.isEmpty, forwardLevel + backwardLevel < maximum {
            let growForward = forwardFrontier.count <= backwardFrontier.count
            let level = (growForward ? forwardLevel : backwardLevel) + 1
            var next: [NodeID] = []
            for node in growForward ? forwardFrontier : backwardFrontier {
                for r in try expand(node, direction: growForward ? spec.direction : reverse) {
                    try context.tick()
                    let other = r.start == node ? r.end : r.start
                    if growForward {
                        if let depth = forwardDepth[other] {
                            if depth == level { forwardParents[other, default: []].append((node, r)) }
                            continue
                        }
                        forwardDepth[other] = level
                        forwardParents[other] = [(node, r)]
                    } else {
                        if let depth = backwardDepth[other] {
                            if depth == level { backwardParents[other, default: []].append((node, r)) }
                            continue
                        }
                        backwardDepth[other] = level
                        backwardParents[other] = [(node, r)]
                    }
                    next.append(other)
                }
            }
            if growForward { forwardLevel = level; forwardFrontier = next } else { backwardLevel = level; backwardFrontier = next }
            let candidates = next.filter { growForward ? backwardDepth[$0] != nil : forwardDepth[$0] != nil }
            let lengths = candidates.map { (forwardDepth[$0] ?? 0) + (backwardDepth[$0] ?? 0) }
            if let best = lengths.min(), best <= maximum {
                meeting = zip(candidates, lengths).filter { $0.1 == best }.map(\.0)
            }
        }
        func chains(_ node: NodeID, _ parents: [NodeID: [(NodeID, GraphRelationship)]], _ origin: NodeID) -> [[GraphRelationship]] {
            if node == origin { return [[]] }
            var result: [[GraphRelationship]] = []
            for (previous, r) in parents[node] ?? [] {
                for chain in chains(previous, parents, origin) {
                    result.append(chain + [r])
                    if !all { return result }
                }
            }
            return result
        }
        var paths: [[GraphRelationship]] = []
        for node in meeting {
            for head in chains(node, forwardParents, start) {
                for tail in chains(node, backwardParents, goal) {
                    paths.append(head + tail.reversed())
                    if !all { return paths }
                }
            }
        }
        return paths.filter { $0.count >= minimum }
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
