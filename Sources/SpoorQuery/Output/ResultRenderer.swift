import SpoorStore

/// Renders result rows for the CLI: an aligned text table, JSON (an array of one object per row), JSON lines (one
/// object per line) or CSV (RFC 4180).
///
/// Nodes and relationships are resolved through `graph`: a node prints as `{"id":…,"labels":[…],"properties":{…}}`
/// in JSON and as `(:Label {key: value})` in text; amounts print with all their digits (as strings in JSON). Table
/// cells wider than ``maximumCellWidth`` characters are cut to that width, the last one `…`; JSON, JSON lines and
/// CSV are never cut.
public struct ResultRenderer {
    /// Output formats.
    public enum Format: String, Sendable, CaseIterable {
        case table, json, jsonl, csv
    }

    /// The widest a table cell gets, in Characters: a longer one keeps its first `maximumCellWidth - 1` and ends in
    /// `…`.
    public static let maximumCellWidth = 60

    private let graph: any GraphAccess

    /// A renderer that resolves nodes and relationships through `graph`.
    public init(graph: any GraphAccess) { self.graph = graph }

    /// Renders `rows` under `columns` in `format`.
    public func render(columns: [String], rows: [[Value]], format: Format) throws -> String {
        switch format {
        case .table: return try table(columns: columns, rows: rows)
        case .json: return try json(columns: columns, rows: rows)
        case .jsonl: return try jsonLines(columns: columns, rows: rows)
        case .csv: return try csv(columns: columns, rows: rows)
        }
    }

    // MARK: Text

    /// Text of a value for table and CSV cells.
    public func text(_ value: Value) throws -> String {
        switch value {
        case .null: return "null"
        case .string(let s): return s
        case .node(let node):
            let labels = try graph.labels(of: node).map { ":" + $0 }.joined()
            let properties = try graph.nodeProperties(of: node)
            return "(\(labels)\(propertiesText(properties)))"
        case .relationship(let r):
            let properties = try graph.relationshipProperties(of: r)
            return "[:\(r.type)\(propertiesText(properties))]"
        case .list(let items): return "[" + (try items.map(nestedText)).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + (try entries.sorted { $0.key < $1.key }.map { "\($0.key): \(try nestedText($0.value))" }).joined(separator: ", ") + "}"
        case .path(let path):
            var text = try self.text(.node(path.nodes.first ?? NodeID(0)))
            for (index, r) in path.relationships.enumerated() where index + 1 < path.nodes.count {
                let forward = r.start == path.nodes[index]
                text += (forward ? "-" : "<-") + (try self.text(.relationship(r))) + (forward ? "->" : "-")
                text += try self.text(.node(path.nodes[index + 1]))
            }
            return text
        default: return Rendering.plainText(value)
        }
    }

    private func nestedText(_ value: Value) throws -> String {
        if case .string = value { return Rendering.literalText(value) }
        return try text(value)
    }

    private func propertiesText(_ properties: [String: Value]) -> String {
        guard !properties.isEmpty else { return "" }
        return " {" + properties.sorted { $0.key < $1.key }.map { "\($0.key): \(Rendering.literalText($0.value))" }.joined(separator: ", ") + "}"
    }

    /// A `+---+` boxed table, columns as wide as their widest cell (in Characters), with a row count. Cells wider
    /// than ``maximumCellWidth`` are cut (see ``truncated(_:)``), except numbers, which are always shown whole.
    public func table(columns: [String], rows: [[Value]]) throws -> String {
        let cells = try rows.map { row in
            try row.map { value in
                let cell = try text(value).replacing("\n", with: "\\n")
                // Numbers are never cut: a misread amount is worse than a wide column.
                switch value {
                case .integer, .float, .amount: return cell
                default: return Self.truncated(cell)
                }
            }
        }
        return Self.boxed(columns: columns, cells: cells) + "\(rows.count) row\(rows.count == 1 ? "" : "s")\n"
    }

    /// `text` if it has at most ``maximumCellWidth`` Characters; otherwise its first `maximumCellWidth - 1` and `…`.
    public static func truncated(_ text: String) -> String {
        guard text.count > maximumCellWidth else { return text }
        return String(text.prefix(maximumCellWidth - 1)) + "…"
    }

    /// `cells` under `columns` in a `+---+` box, columns as wide as their widest cell (in Characters), as they are
    /// (no cutting, no row count).
    public static func boxed(columns: [String], cells: [[String]]) -> String {
        var widths = columns.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        let border = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func line(_ values: [String]) -> String {
            "|" + values.enumerated().map { index, value in
                " " + value + String(repeating: " ", count: max(0, widths[index] - value.count)) + " "
            }.joined(separator: "|") + "|"
        }
        var lines = [border, line(columns), border]
        for row in cells { lines.append(line(row + Array(repeating: "", count: max(0, columns.count - row.count)))) }
        lines.append(border)
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: CSV

    /// RFC 4180: a header line, CRLF line ends, fields with `,`, `"`, CR or LF quoted, quotes doubled. Null is empty.
    public func csv(columns: [String], rows: [[Value]]) throws -> String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
            return "\"" + text.replacing("\"", with: "\"\"") + "\""
        }
        var out = columns.map(field).joined(separator: ",") + "\r\n"
        for row in rows {
            out += try row.map { value in value.isNull ? "" : field(try text(value)) }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    // MARK: JSON

    /// A JSON array with one object per row, keys in column order.
    public func json(columns: [String], rows: [[Value]]) throws -> String {
        var out = "["
        for (rowIndex, row) in rows.enumerated() {
            out += rowIndex == 0 ? "\n  {" : ",\n  {"
            for (index, column) in columns.enumerated() {
                if index > 0 { out += ", " }
                out += JSONText.string(column) + ": " + (try jsonValue(index < row.count ? row[index] : .null))
            }
            out += "}"
        }
        out += rows.isEmpty ? "]\n" : "\n]\n"
        return out
    }

    /// JSON lines: one object per row (keys in column order, values as in ``json(columns:rows:)``), each on its own
    /// line; nothing for no rows.
    public func jsonLines(columns: [String], rows: [[Value]]) throws -> String {
        var out = ""
        for row in rows {
            out += "{"
            for (index, column) in columns.enumerated() {
                if index > 0 { out += "," }
                out += JSONText.string(column) + ":" + (try jsonValue(index < row.count ? row[index] : .null))
            }
            out += "}\n"
        }
        return out
    }

    /// One value as JSON.
    public func jsonValue(_ value: Value) throws -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .float(let d): return d.isFinite ? d.description : JSONText.string(Rendering.floatText(d))
        case .string(let s): return JSONText.string(s)
        case .amount(let a): return JSONText.string(a.description)
        case .list(let items): return "[" + (try items.map(jsonValue)).joined(separator: ",") + "]"
        case .map(let entries): return try jsonObject(entries)
        case .node(let node):
            let labels = try graph.labels(of: node).map(JSONText.string).joined(separator: ",")
            return "{\"id\":\(node.rawValue),\"labels\":[\(labels)],\"properties\":\(try jsonObject(try graph.nodeProperties(of: node)))}"
        case .relationship(let r):
            return "{\"id\":\(r.id.rawValue),\"type\":\(JSONText.string(r.type)),\"start\":\(r.start.rawValue),\"end\":\(r.end.rawValue),\"properties\":\(try jsonObject(try graph.relationshipProperties(of: r)))}"
        case .path(let path):
            let nodes = try path.nodes.map { try jsonValue(.node($0)) }.joined(separator: ",")
            let relationships = try path.relationships.map { try jsonValue(.relationship($0)) }.joined(separator: ",")
            return "{\"nodes\":[\(nodes)],\"relationships\":[\(relationships)]}"
        }
    }

    private func jsonObject(_ entries: [String: Value]) throws -> String {
        "{" + (try entries.sorted { $0.key < $1.key }.map { JSONText.string($0.key) + ":" + (try jsonValue($0.value)) }).joined(separator: ",") + "}"
    }
}

/// JSON string escaping.
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
