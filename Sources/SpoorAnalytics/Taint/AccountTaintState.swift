import SpoorStore

/// What one transfer carries: its taint, the hop at which that taint arrives, and (FIFO) the segments in order.
struct TaintCarry: Sendable {
    var taint: WideAmount
    /// 1 + the smallest hop of the taint sent; `Int.max` when nothing is tainted.
    var hop: Int
    /// FIFO only: the whole value as segments (hops already those at the receiver).
    var segments: [TaintSegment]

    static let none = TaintCarry(taint: .zero, hop: .max, segments: [])
}

/// The balance and taint of one address in one asset (DESIGN.md section 5, account chains).
struct AccountTaintState: Sendable, Codable {
    /// Balance `B` inside the data set.
    var balance = WideAmount.zero
    /// Tainted balance `T` (haircut, FIFO: the tainted length of the queue; poison: any non-zero value means held).
    var taint = WideAmount.zero
    /// The smallest hop of the taint received (`Int.max`: none).
    var hop = Int.max
    /// FIFO segments.
    var queue = SegmentQueue()

    /// Whether the address could still pass taint on (if not, the lazy engine may stop following it).
    func canPassTaint(policy: TaintPolicy, maxHops: Int) -> Bool {
        switch policy {
        case .poison, .haircut: return !taint.isZero && hop < maxHops
        case .fifo: return !taint.isZero
        }
    }

    /// Receives `value` carrying `carry`.
    mutating func receive(_ value: Amount, carry: TaintCarry, policy: TaintPolicy) {
        let value = WideAmount(value)
        balance += value
        if !carry.taint.isZero {
            taint += carry.taint
            hop = min(hop, carry.hop)
        }
        if policy == .fifo {
            if carry.segments.isEmpty {
                queue.append(.clean(value))
            } else {
                for segment in carry.segments { queue.append(segment) }
            }
        }
    }

    /// Sends `value` and returns what it carries before the hop and minimum filters. The filters run afterwards in
    /// ``TaintCarry/filtered(maxHops:minTaint:)``: taint they drop has left the sender all the same.
    mutating func send(_ value: Amount, policy: TaintPolicy) -> TaintCarry {
        let value = WideAmount(value)
        let paid = min(value, balance)
        switch policy {
        case .poison:
            balance -= paid
            return taint.isZero || value.isZero ? .none : TaintCarry(taint: value, hop: hop &+ 1, segments: [])
        case .haircut:
            let carried = balance.isZero ? WideAmount.zero : WideAmount.multiplyDivide(paid, taint, balance)
            balance -= paid
            taint -= carried
            return carried.isZero ? .none : TaintCarry(taint: carried, hop: hop &+ 1, segments: [])
        case .fifo:
            var pieces = queue.take(paid)
            balance -= paid
            if paid < value { pieces.append(.clean(value - paid)) }  // Paid from outside the data set: clean, last.
            var carried = WideAmount.zero
            var smallest = Int.max
            for index in pieces.indices where pieces[index].isTainted {
                carried += pieces[index].length
                pieces[index].hop += 1
                smallest = min(smallest, pieces[index].hop)
            }
            taint -= carried
            return TaintCarry(taint: carried, hop: smallest, segments: pieces)
        }
    }

    /// What a seed sends: all of it tainted, arriving at hop 1.
    static func seedCarry(_ value: Amount, policy: TaintPolicy) -> TaintCarry {
        guard !value.isZero else { return .none }
        let wide = WideAmount(value)
        return TaintCarry(
            taint: wide,
            hop: 1,
            segments: policy == .fifo ? [TaintSegment(length: wide, isTainted: true, hop: 1)] : []
        )
    }
}

extension TaintCarry {
    /// Applies `maxHops` (taint arriving above it is not passed on: FIFO turns those segments clean) and `minTaint`
    /// (a total below it is dropped).
    func filtered(maxHops: Int, minTaint: WideAmount) -> TaintCarry {
        guard !taint.isZero else { return self.clearingTaint() }
        var result = self
        if segments.isEmpty {
            if hop > maxHops { return clearingTaint() }
        } else if maxHops < Int.max {
            var carried = WideAmount.zero
            var smallest = Int.max
            for index in result.segments.indices where result.segments[index].isTainted {
                if result.segments[index].hop > maxHops {
                    result.segments[index] = .clean(result.segments[index].length)
                } else {
                    carried += result.segments[index].length
                    smallest = min(smallest, result.segments[index].hop)
                }
            }
            result.taint = carried
            result.hop = smallest
        }
        if result.taint.isZero || result.taint < minTaint { return result.clearingTaint() }
        return result
    }

    /// The same value with nothing tainted.
    func clearingTaint() -> TaintCarry {
        guard !segments.isEmpty else { return .none }
        var total = WideAmount.zero
        for segment in segments { total += segment.length }
        return TaintCarry(taint: .zero, hop: .max, segments: [.clean(total)])
    }
}
