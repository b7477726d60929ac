/// `percentileCont` and `percentileDisc` over the collected numbers of a group.
enum Percentile {
    /// The percentile argument: a number from 0 to 1, else a runtime error (openCypher `NumberOutOfRange`).
    static func fraction(_ value: Value, _ aggregate: BoundProjection.Aggregate) throws(QueryError) -> Double {
        guard let number = ValueOperations.Number(value) else {
            throw QueryError(.runtime, "type mismatch: the percentile of \(aggregate.kind.rawValue)() must be a number, found \(value.typeName)", at: aggregate.range)
        }
        let p = number.doubleValue
        guard p >= 0, p <= 1 else {
            throw QueryError(.runtime, "\(aggregate.kind.rawValue)(): the percentile must be between 0.0 and 1.0, found \(p)", at: aggregate.range)
        }
        return p
    }

    /// Continuous: linear interpolation between the two closest ranks, as a Float. Discrete: the value at rank
    /// ⌈p·n⌉ (at least the first), unchanged. Null for no values.
    static func result(of values: [Value], _ p: Double, continuous: Bool) -> Value {
        guard !values.isEmpty else { return .null }
        let sorted = values.sorted { ValueOperations.order($0, $1) < 0 }
        if continuous {
            let numbers = sorted.compactMap { ValueOperations.Number($0)?.doubleValue }
            let position = p * Double(numbers.count - 1)
            let lower = Int(position.rounded(.down))
            let upper = Int(position.rounded(.up))
            return .float(numbers[lower] + (position - Double(lower)) * (numbers[upper] - numbers[lower]))
        }
        let index = max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)
        return sorted[min(index, sorted.count - 1)]
    }
}
