/// The type of a procedure argument or result column, as `spoor.procedures()` shows it.
public enum ProcedureType: String, Sendable, Hashable {
    case any = "ANY", boolean = "BOOLEAN", integer = "INTEGER", float = "FLOAT", number = "NUMBER", string = "STRING"
    case list = "LIST", map = "MAP", node = "NODE", relationship = "RELATIONSHIP", path = "PATH"

    /// Whether `value` fits (null always does).
    public func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _), (_, .null): return true
        case (.boolean, .bool), (.integer, .integer), (.integer, .amount), (.float, .float), (.string, .string): return true
        case (.number, .integer), (.number, .float), (.number, .amount), (.float, .integer): return true
        case (.list, .list), (.map, .map), (.node, .node), (.relationship, .relationship), (.path, .path): return true
        default: return false
        }
    }
}

/// What a procedure body gets: the graph, its arguments (already type-checked) and the registry it runs under.
public struct ProcedureInvocation {
    /// The graph of the run.
    public let graph: any GraphAccess
    /// One value per declared parameter, in order.
    public let arguments: [Value]
    /// The registry of the run (for `spoor.procedures()`).
    public let procedures: ProcedureRegistry
    private let expansionCounter: (Int) throws(QueryError) -> Void

    init(graph: any GraphAccess, arguments: [Value], procedures: ProcedureRegistry, countExpansions: @escaping (Int) throws(QueryError) -> Void) {
        self.graph = graph
        self.arguments = arguments
        self.procedures = procedures
        expansionCounter = countExpansions
    }

    /// Counts relationships visited against `QueryLimits.maxExpansions`; throws a `.limit` error when exceeded.
    public func countExpansions(_ count: Int) throws(QueryError) { try expansionCounter(count) }
}

/// A named procedure with a typed signature: `CALL name(arguments) YIELD outputs`.
public struct Procedure: Sendable {
    /// Fully qualified name, for example `spoor.neighbors`.
    public var name: String
    /// Argument names and types, in order.
    public var parameters: [(name: String, type: ProcedureType)]
    /// Result columns and types, in order.
    public var outputs: [(name: String, type: ProcedureType)]
    /// One line for `spoor.procedures()`.
    public var summary: String
    /// Computes the result rows (one value per output column). Errors should be ``QueryError``s.
    public var body: @Sendable (ProcedureInvocation) throws -> [[Value]]

    /// Creates a procedure.
    public init(
        name: String, parameters: [(name: String, type: ProcedureType)], outputs: [(name: String, type: ProcedureType)],
        summary: String = "", body: @escaping @Sendable (ProcedureInvocation) throws -> [[Value]]
    ) {
        self.name = name
        self.parameters = parameters
        self.outputs = outputs
        self.summary = summary
        self.body = body
    }

    /// `name(a :: STRING, b :: INTEGER) :: (x :: NODE)`.
    public var signature: String {
        let arguments = parameters.map { "\($0.name) :: \($0.type.rawValue)" }.joined(separator: ", ")
        let results = outputs.map { "\($0.name) :: \($0.type.rawValue)" }.joined(separator: ", ")
        return "\(name)(\(arguments)) :: (\(results))"
    }
}

/// The procedures a query may call, by case-insensitive name. A value: copy ``standard`` and ``register(_:)`` more.
public struct ProcedureRegistry: Sendable {
    private var procedures: [String: Procedure] = [:]

    /// An empty registry.
    public init() {}

    /// Adds or replaces a procedure.
    public mutating func register(_ procedure: Procedure) {
        procedures[procedure.name.lowercased()] = procedure
    }

    /// The procedure called `name` (case-insensitive), or `nil`.
    public func procedure(named name: String) -> Procedure? { procedures[name.lowercased()] }

    /// All procedures, sorted by name.
    public var all: [Procedure] { procedures.values.sorted { $0.name < $1.name } }

    /// `spoor.procedures`, `spoor.neighbors` and the analytics procedures.
    public static let standard: ProcedureRegistry = {
        var registry = ProcedureRegistry()
        registry.register(Procedure(
            name: "spoor.procedures", parameters: [],
            outputs: [("name", .string), ("signature", .string), ("description", .string)],
            summary: "Lists the procedures a query can call."
        ) { invocation in
            invocation.procedures.all.map { [.string($0.name), .string($0.signature), .string($0.summary)] }
        })
        registry.register(Procedure(
            name: "spoor.neighbors", parameters: [("address", .string), ("direction", .string)],
            outputs: [("neighbor", .node), ("relationship", .relationship)],
            summary: "The nodes one relationship away from the address; direction is 'out', 'in' or 'both'."
        ) { invocation in
            try ProcedureRegistry.neighbors(invocation)
        })
        registry.registerClusterProcedures()
        TypologyProcedures.register(in: &registry)
        AnalyticsProcedures.register(in: &registry)
        return registry
    }()

    private static func neighbors(_ invocation: ProcedureInvocation) throws -> [[Value]] {
        let graph = invocation.graph
        guard case .string(let address) = invocation.arguments[0] else { return [] }
        let direction: ExpandDirection
        switch invocation.arguments[1] {
        case .null: direction = .both
        case .string(let text):
            switch text.lowercased() {
            case "out", "outgoing", ">": direction = .outgoing
            case "in", "incoming", "<": direction = .incoming
            case "both", "any", "": direction = .both
            default:
                throw QueryError(.runtime, "spoor.neighbors: direction must be 'out', 'in' or 'both', found '\(text)'", at: SourceRange(start: 0, end: 0))
            }
        default: direction = .both
        }
        var starts = try graph.lookupNodes(label: "Address", property: "address", value: .string(address))
        if starts == nil {
            starts = try graph.scanNodes(label: "Address").filter { node in
                (try? graph.nodeProperty("address", of: node)) == .string(address)
            }
        }
        var rows: [[Value]] = []
        for start in starts ?? [] {
            let found = try graph.expand(start, direction: direction, types: [])
            try invocation.countExpansions(found.count)
            for relationship in found {
                let other = relationship.start == start ? relationship.end : relationship.start
                rows.append([.node(other), .relationship(relationship)])
            }
        }
        return rows
    }
}
