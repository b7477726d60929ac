/// A run of value that is all tainted or all clean, as FIFO keeps it. Tainted segments remember their hop.
struct TaintSegment: Sendable, Hashable, Codable {
    var length: WideAmount
    var isTainted: Bool
    /// The hop of a tainted segment (0 for clean ones).
    var hop: Int

    static func clean(_ length: WideAmount) -> TaintSegment { TaintSegment(length: length, isTainted: false, hop: 0) }
}

/// A FIFO queue of segments (front first), merging neighbours of the same kind.
struct SegmentQueue: Sendable, Codable {
    private(set) var segments: [TaintSegment] = []
    private var head = 0

    init() {}

    init(from decoder: any Decoder) throws {
        segments = try [TaintSegment](from: decoder)
    }

    func encode(to encoder: any Encoder) throws { try Array(contents).encode(to: encoder) }

    var isEmpty: Bool { head == segments.count }

    mutating func append(_ segment: TaintSegment) {
        guard !segment.length.isZero else { return }
        if head < segments.count, var last = segments.last, last.isTainted == segment.isTainted,
            !last.isTainted || last.hop == segment.hop
        {
            last.length += segment.length
            segments[segments.count - 1] = last
        } else {
            segments.append(segment)
        }
    }

    /// Takes `amount` from the front (or all there is, if less) and returns the pieces in order.
    mutating func take(_ amount: WideAmount) -> [TaintSegment] {
        var rest = amount
        var taken: [TaintSegment] = []
        while !rest.isZero, head < segments.count {
            var front = segments[head]
            if front.length <= rest {
                taken.append(front)
                rest -= front.length
                head += 1
            } else {
                taken.append(TaintSegment(length: rest, isTainted: front.isTainted, hop: front.hop))
                front.length -= rest
                segments[head] = front
                rest = .zero
            }
        }
        if head > 64 && head * 2 > segments.count {
            segments.removeFirst(head)
            head = 0
        }
        return taken
    }

    /// The segments from the front, in order.
    var contents: ArraySlice<TaintSegment> { segments[head...] }
}
