/// Binds a node slot for each input row: by index seek, tag seek, label scan or all nodes.
final class NodeSource: RowSource {
    enum Access {
        case index(label: String?, property: String, value: BoundExpression)
        case tag(BoundExpression)
        case label(String)
        case all
    }

    private let input: any RowSource
    private let slot: Int
    private let access: Access
    private let context: ExecutionContext
    private var current: [Value]?
    private var nodes: [NodeID] = []
    private var position = 0

    init(input: any RowSource, slot: Int, access: Access, context: ExecutionContext) {
        self.input = input
        self.slot = slot
        self.access = access
        self.context = context
    }

    private func candidates(for row: [Value]) throws(QueryError) -> [NodeID] {
        let graph = context.graph
        do {
            switch access {
            case .index(let label, let property, let valueExpression):
                let value = try context.evaluate(valueExpression, row)
                if case .null = value { return [] }
                // A graph without this index answers nil: fall back to scanning (the equality filter stays above).
                if let found = try graph.lookupNodes(label: label, property: property, value: value) { return found }
                return try graph.scanNodes(label: label)
            case .tag(let tagExpression):
                let value = try context.evaluate(tagExpression, row)
                guard case .string(let tag) = value else { return value.isNull ? [] : try graph.scanNodes(label: nil) }
                if let found = try graph.lookupNodes(taggedWith: tag) { return found }
                return try graph.scanNodes(label: nil)
            case .label(let label):
                return try graph.scanNodes(label: label)
            case .all:
                return try graph.scanNodes(label: nil)
            }
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(.runtime, "graph read failed: \(error)", at: SourceRange(start: 0, end: 0))
        }
    }

    func next() throws(QueryError) -> [Value]? {
        while true {
            if var row = current, position < nodes.count {
                try context.tick()
                row[slot] = .node(nodes[position])
                position += 1
                return row
            }
            guard let row = try input.next() else { return nil }
            current = row
            nodes = try candidates(for: row)
            position = 0
        }
    }
}
