import SpoorStore

/// Drops rows equal (by equivalence) on the given slots to an earlier row.
///
/// With one slot, node values are kept apart in a ``NodeIDSet`` (a node equals only the same node, never another
/// kind of value), so `DISTINCT b` over nodes hashes ids instead of boxed values.
final class DistinctSource: RowSource {
    private let input: any RowSource
    private let slots: [Int]
    private var seen: Set<[Value]> = []
    private let seenNodes = NodeIDSet()

    init(input: any RowSource, slots: [Int]) {
        self.input = input
        self.slots = slots
    }

    func next() throws(QueryError) -> [Value]? {
        while let row = try input.next() {
            if slots.count == 1, slots[0] < row.count, case .node(let node) = row[slots[0]] {
                if seenNodes.insert(node) { return row }
                continue
            }
            let key = slots.map { $0 < row.count ? row[$0] : .null }
            if seen.insert(key).inserted { return row }
        }
        return nil
    }
}

/// The `SKIP` and `LIMIT` directly on a sort: it then needs to keep only the first skip + limit rows.
struct SortBound {
    var skip: BoundExpression?
    var limit: BoundExpression
}

/// Eager sort by keys in openCypher order (nulls last ascending, first descending); ties keep input order.
///
/// With a ``SortBound`` (`ORDER BY … SKIP s LIMIT k`) it keeps at most s + k rows, in a heap whose top is the
/// last of them, so memory stays O(s + k); the rows it returns are those the full sort would return first.
final class SortSource: RowSource {
    private struct Entry {
        var keys: [Value]
        var index: Int
        var row: [Value]
    }

    private let input: any RowSource
    private let keys: [(expression: BoundExpression, descending: Bool, text: String)]
    private let descending: [Bool]
    private let bound: SortBound?
    private let context: ExecutionContext
    private var sorted: [[Value]]?
    private var position = 0

    init(
        input: any RowSource, keys: [(expression: BoundExpression, descending: Bool, text: String)],
        bound: SortBound? = nil, context: ExecutionContext
    ) {
        self.input = input
        self.keys = keys
        descending = keys.map(\.descending)
        self.bound = bound
        self.context = context
    }

    /// Whether `lhs` comes before `rhs`: by the keys, then by input order (a strict total order).
    private func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
        for (offset, isDescending) in descending.enumerated() {
            let c = ValueOperations.order(lhs.keys[offset], rhs.keys[offset])
            if c != 0 { return isDescending ? c > 0 : c < 0 }
        }
        return lhs.index < rhs.index
    }

    /// How many rows to keep, or `nil` for all.
    private func capacity() throws(QueryError) -> Int? {
        guard let bound else { return nil }
        let limit = try SkipLimitSource.resolveCount(bound.limit, isLimit: true, context: context)
        let skip = try bound.skip.map { (e) throws(QueryError) in try SkipLimitSource.resolveCount(e, isLimit: false, context: context) } ?? 0
        let (sum, overflow) = skip.addingReportingOverflow(limit)
        return overflow ? nil : sum
    }

    func next() throws(QueryError) -> [Value]? {
        if sorted == nil {
            let capacity = try capacity()
            var entries: [Entry] = []
            var index = 0
            var isHeap = false
            if capacity != 0 {
                while let row = try input.next() {
                    try context.tick()
                    var values: [Value] = []
                    for key in keys { values.append(try context.evaluate(key.expression, row)) }
                    let entry = Entry(keys: values, index: index, row: row)
                    index += 1
                    guard let capacity, entries.count >= capacity else {
                        entries.append(entry)
                        continue
                    }
                    if !isHeap {
                        heapify(&entries)
                        isHeap = true
                    }
                    // The top is the last row kept; a later row with equal keys comes after it, so stays out.
                    if precedes(entry, entries[0]) {
                        entries[0] = entry
                        siftDown(&entries, from: 0)
                    }
                }
            }
            context.peakSortRows = max(context.peakSortRows, entries.count)
            var comparisons = 0
            do {
                try entries.sort { (lhs, rhs) throws -> Bool in
                    comparisons &+= 1
                    if comparisons & 4095 == 0 { try context.checkDeadline() }
                    return precedes(lhs, rhs)
                }
            } catch {
                // `sort(by:)` rethrows untyped; the comparator only throws `QueryError`s.
                throw (error as? QueryError) ?? QueryError(.runtime, "internal: \(error)", at: SourceRange(start: 0, end: 0))
            }
            sorted = entries.map(\.row)
        }
        guard let sorted, position < sorted.count else { return nil }
        defer { position += 1 }
        return sorted[position]
    }

    /// Makes `entries` a max-heap by ``precedes(_:_:)`` (the last row in sort order at index 0).
    private func heapify(_ entries: inout [Entry]) {
        var i = entries.count / 2
        while i > 0 {
            i -= 1
            siftDown(&entries, from: i)
        }
    }

    private func siftDown(_ entries: inout [Entry], from start: Int) {
        var parent = start
        let count = entries.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var largest = parent
            if precedes(entries[largest], entries[left]) { largest = left }
            let right = left + 1
            if right < count, precedes(entries[largest], entries[right]) { largest = right }
            if largest == parent { return }
            entries.swapAt(parent, largest)
            parent = largest
        }
    }
}

/// `SKIP n` or `LIMIT n`; `LIMIT` stops pulling its input once it has returned n rows.
final class SkipLimitSource: RowSource {
    private let input: any RowSource
    private let isLimit: Bool
    private let countExpression: BoundExpression
    private let context: ExecutionContext
    private var count: Int?
    private var seen = 0

    init(input: any RowSource, isLimit: Bool, count: BoundExpression, context: ExecutionContext) {
        self.input = input
        self.isLimit = isLimit
        countExpression = count
        self.context = context
    }

    static func resolveCount(_ countExpression: BoundExpression, isLimit: Bool, context: ExecutionContext) throws(QueryError) -> Int {
        let value = try context.evaluate(countExpression, [])
        let what = isLimit ? "LIMIT" : "SKIP"
        let range = countExpression.range ?? SourceRange(start: 0, end: 0)
        switch value {
        case .integer(let i) where i >= 0: return Int(clamping: i)
        case .amount(let a): return a.int64Value.map { Int(clamping: $0) } ?? Int.max
        default:
            throw QueryError(.runtime, "\(what) expects a non-negative integer, found \(Rendering.literalText(value))", at: range)
        }
    }

    func next() throws(QueryError) -> [Value]? {
        if count == nil { count = try Self.resolveCount(countExpression, isLimit: isLimit, context: context) }
        let n = count ?? 0
        if isLimit {
            guard seen < n else { return nil }
            seen += 1
            return try input.next()
        }
        while seen < n {
            guard try input.next() != nil else { return nil }
            seen += 1
        }
        return try input.next()
    }
}
