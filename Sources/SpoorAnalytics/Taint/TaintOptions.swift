public import SpoorStore

/// How taint divides when tainted and clean value mix (DESIGN.md section 5).
public enum TaintPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Any taint taints everything it touches, fully.
    case poison
    /// Taint spreads in proportion (integer floor per output or transfer).
    case haircut
    /// First in, first out: tainted and clean value keep their order as segments.
    case fifo
}

/// Which way taint is followed.
public enum TaintDirection: String, Sendable, Hashable, Codable, CaseIterable {
    /// Where did it go: from the seeds forward in chain order.
    case forward
    /// Where did it come from: from the seeds backward, every transfer reversed, in reverse chain order.
    case backward
}

/// A closed time range in unix seconds; either end may be open.
public struct TimeWindow: Sendable, Hashable, Codable {
    /// First second inside the window, or `nil` for no lower bound.
    public var from: Int64?
    /// Last second inside the window, or `nil` for no upper bound.
    public var to: Int64?

    /// Creates a window.
    public init(from: Int64? = nil, to: Int64? = nil) {
        self.from = from
        self.to = to
    }

    /// Whether `time` lies inside.
    @inlinable public func contains(_ time: Int64) -> Bool {
        (from.map { time >= $0 } ?? true) && (to.map { time <= $0 } ?? true)
    }
}

/// A seed: an address whose value is fully tainted from a start time on.
public struct TaintSeed: Sendable, Hashable {
    /// The address.
    public var address: AddressID
    /// Forward: what it sends at or after this time is fully tainted; backward: what it receives at or before this
    /// time. `nil`: all of it.
    public var start: Int64?

    /// Creates a seed.
    public init(address: AddressID, start: Int64? = nil) {
        self.address = address
        self.start = start
    }
}

/// Options of a taint run. The defaults follow taint forward under haircut with no limits.
public struct TaintOptions: Sendable, Hashable {
    /// The policy; default ``TaintPolicy/haircut``.
    public var policy: TaintPolicy
    /// The direction; default ``TaintDirection/forward``.
    public var direction: TaintDirection
    /// Taint that would arrive at a hop above this is not passed on; `nil` (default): no limit.
    public var maxHops: Int?
    /// A transfer or output whose taint would be below this carries none; default 0 (keep everything).
    public var minTaint: Amount
    /// Only transfers and transactions inside the window exist for the run; `nil` (default): all time.
    public var window: TimeWindow?
    /// Addresses that absorb taint: what they receive is reported, nothing is passed on from them. A seed is a seed
    /// even if listed here.
    public var stopAt: Set<AddressID>
    /// Whether the result lists every tainted transfer or output (default `true`; the batch scan turns it off).
    public var recordsFlows: Bool
    /// Stop once the run passes this chain position (after it forward, before it backward): what happens later
    /// cannot change anything up to it. `nil` (default): run to the end. Exposure sets it to the target's last
    /// relevant transfer.
    public var horizon: ChainPosition?
    /// Only these addresses are followed (read and replayed) when taint reaches them; taint delivered to any other
    /// address is neither recorded in the result nor passed on. `nil` (default): every address taint reaches.
    /// Exposure sets it to the addresses that can pass taint on to its targets, which leaves their figures exact.
    public var follow: Set<AddressID>?

    /// Creates options.
    public init(
        policy: TaintPolicy = .haircut,
        direction: TaintDirection = .forward,
        maxHops: Int? = nil,
        minTaint: Amount = .zero,
        window: TimeWindow? = nil,
        stopAt: Set<AddressID> = [],
        recordsFlows: Bool = true
    ) {
        self.policy = policy
        self.direction = direction
        self.maxHops = maxHops
        self.minTaint = minTaint
        self.window = window
        self.stopAt = stopAt
        self.recordsFlows = recordsFlows
        self.horizon = nil
        self.follow = nil
    }

    /// `maxHops` as a number (`Int.max` when unlimited).
    @inlinable var hopLimit: Int { maxHops ?? Int.max }
}
