/// Builds the table-backed procedures of TCK steps such as
/// `there exists a procedure test.my.proc(name :: STRING?, in :: INTEGER?) :: (out :: INTEGER?):` with a table whose
/// header names the inputs and then the outputs: a call yields the outputs of the rows whose inputs equal its arguments.
enum TCKProcedures {
    static func procedure(from text: String, table: [[String]]?) -> Procedure? {
        guard let nameStart = text.firstRange(of: "procedure ")?.upperBound,
            let open = text[nameStart...].firstIndex(of: "("),
            let close = text[open...].firstIndex(of: ")"),
            let outputOpen = text[close...].firstIndex(of: "("),
            let outputClose = text[outputOpen...].firstIndex(of: ")")
        else { return nil }
        let name = text[nameStart..<open].trimmingCharacters(in: " ")
        func signature(_ list: Substring) -> [(name: String, type: ProcedureType)]? {
            var result: [(name: String, type: ProcedureType)] = []
            for item in list.split(separator: ",") {
                let parts = item.split(separator: ":")
                guard parts.count == 2 else { return nil }
                var typeName = parts[1].trimmingCharacters(in: " ")
                if typeName.hasSuffix("?") { typeName.removeLast() }
                guard let type = ProcedureType(rawValue: typeName.uppercased()) else { return nil }
                result.append((parts[0].trimmingCharacters(in: " "), type))
            }
            return result
        }
        guard let inputs = signature(text[text.index(after: open)..<close]),
            let outputs = signature(text[text.index(after: outputOpen)..<outputClose])
        else { return nil }
        var rows: [[Value]] = []
        if let table, let header = table.first, header.count == inputs.count + outputs.count {
            for row in table.dropFirst() {
                var values: [Value] = []
                for cell in row {
                    guard let value = (try? TCKValueParser.parse(cell))?.engineValue else { return nil }
                    values.append(value)
                }
                rows.append(values)
            }
        }
        let data = rows
        let inputCount = inputs.count
        return Procedure(name: name, parameters: inputs, outputs: outputs) { invocation in
            data.filter { row in
                zip(row.prefix(inputCount), invocation.arguments).allSatisfy { $0 == $1 }
            }.map { Array($0.dropFirst(inputCount)) }
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
