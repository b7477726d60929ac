import SpoorStore

/// Text forms of values shared by `toString`, string concatenation and the renderers.
enum Rendering {
    /// `toString` text: numbers in full (amounts with all digits), strings as they are.
    static func plainText(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .float(let d): return floatText(d)
        case .string(let s): return s
        case .amount(let a): return a.description
        default: return literalText(value)
        }
    }

    static func floatText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return d.description
    }

    /// Cypher-literal-like text: strings quoted, lists and maps spelled out, nodes as `(id)`.
    static func literalText(_ value: Value) -> String {
        switch value {
        case .string(let s):
            return "'" + s.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
        case .list(let items): return "[" + items.map(literalText).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.sorted { $0.key < $1.key }.map { "\($0.key): \(literalText($0.value))" }.joined(separator: ", ") + "}"
        case .node(let id): return "(\(id))"
        case .relationship(let r): return "[\(r.id):\(r.type) \(r.start)->\(r.end)]"
        case .path(let p):
            var text = "<(\(p.nodes.first?.description ?? ""))"
            for (index, r) in p.relationships.enumerated() {
                let next = index + 1 < p.nodes.count ? p.nodes[index + 1].description : ""
                text += "-[\(r.id):\(r.type)]-(\(next))"
            }
            return text + ">"
        default: return plainText(value)
        }
    }
}
