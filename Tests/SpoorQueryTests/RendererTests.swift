import SpoorStore
import Testing
@testable import SpoorQuery

@Suite struct RendererTests {
    @Test func tableJSONAndCSV() throws {
        let graph = Fixture.graph()
        let query = try PreparedQuery.prepare("MATCH (a:Address {address: 'a1'})-[t]->(b {address: 'a2'}) RETURN a, t.value AS value, 'x,\"y\"' AS s, null AS n")
        let rows = try query.run(on: graph).all()
        let renderer = ResultRenderer(graph: graph)
        let table = try renderer.table(columns: query.columns, rows: rows)
        // Numbers are never cut, even past the 60-character cell limit.
        #expect(table.contains("| (:Address {address: 'a1'}) | 1606938044258990275541962092341162602522202993782792835301377 | x,\"y\" | null |"))
        #expect(table.hasSuffix("1 row\n"))
        let json = try renderer.json(columns: query.columns, rows: rows)
        #expect(json == """
            [
              {"a": {"id":1,"labels":["Address"],"properties":{"address":"a1"}}, "value": "1606938044258990275541962092341162602522202993782792835301377", "s": "x,\\"y\\"", "n": null}
            ]

            """)
        let csv = try renderer.csv(columns: query.columns, rows: rows)
        #expect(csv == "a,value,s,n\r\n(:Address {address: 'a1'}),1606938044258990275541962092341162602522202993782792835301377,\"x,\"\"y\"\"\",\r\n")
        let jsonl = try renderer.render(columns: query.columns, rows: rows + rows, format: .jsonl)
        let line = #"{"a":{"id":1,"labels":["Address"],"properties":{"address":"a1"}},"value":"1606938044258990275541962092341162602522202993782792835301377","s":"x,\"y\"","n":null}"#
        #expect(jsonl == line + "\n" + line + "\n")
        #expect(try renderer.render(columns: query.columns, rows: [], format: .jsonl) == "")
    }

    @Test func tableCutsWideCellsOnly() throws {
        let graph = Fixture.graph()
        let renderer = ResultRenderer(graph: graph)
        let sixty = String(repeating: "x", count: 60)
        let wide = String(repeating: "é", count: 61)
        let table = try renderer.table(columns: ["a", "b"], rows: [[.string(sixty), .string(wide)]])
        #expect(table.contains("| \(sixty) | \(String(repeating: "é", count: 59))… |"), "\(table)")
        #expect(ResultRenderer.truncated(sixty) == sixty)
        #expect(try renderer.json(columns: ["a", "b"], rows: [[.string(sixty), .string(wide)]]).contains(wide))
        #expect(try renderer.csv(columns: ["a", "b"], rows: [[.string(sixty), .string(wide)]]).contains(wide))
    }
}
