import Dispatch
import Spoor
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C in the REPL: SIGINT no longer ends the process; each one bumps a counter that the running query's row
/// loop watches (to stop pulling rows) and that the input loop reads (to drop the unfinished statement), and
/// cancels the query registered with ``cancelling(_:_:)`` (to stop a long single pull: a sort, an aggregation).
///
/// The handler runs on a dispatch queue, so it only counts, and redraws the prompt when the REPL is waiting for
/// input on a terminal.
final class ReplInterrupts: Sendable {
    private let count = Atomic<Int>(0)
    private let isWaitingForInput = Atomic<Bool>(false)
    /// The running query's flag, while ``cancelling(_:_:)`` runs.
    private let running = Mutex<QueryCancellation?>(nil)
    /// What the handler writes to stderr when Ctrl-C comes at the prompt (a newline and the prompt), or `nil`.
    private let redraw: String?
    private let queue = DispatchQueue(label: "spoor.repl.sigint")
    nonisolated(unsafe) private var source: (any DispatchSourceSignal)?  // Set once, in `install`, before any signal.

    init(redrawingPrompt prompt: String?) {
        redraw = prompt.map { "\n" + $0 }
    }

    /// How many SIGINTs have come so far.
    var current: Int { count.load(ordering: .acquiring) }

    /// Ignores SIGINT's default action and counts each one instead. Call once, before reading input.
    func install() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: queue)
        source.setEventHandler { [self] in
            // Coalesced signals arrive as one event with `data` = how many.
            let received = max(1, Int(source.data))
            count.add(received, ordering: .releasing)
            running.withLock { $0?.cancel() }
            if let redraw, isWaitingForInput.load(ordering: .acquiring) {
                Terminal.writeStandardError(redraw)
            }
        }
        source.resume()
        self.source = source
    }

    /// Runs `body` (which pulls a query's rows) with `cancellation` set by each Ctrl-C.
    func cancelling<T>(_ cancellation: QueryCancellation, _ body: () throws -> T) rethrows -> T {
        running.withLock { $0 = cancellation }
        defer { running.withLock { $0 = nil } }
        return try body()
    }

    /// Marks the time spent blocked reading a line (Ctrl-C then redraws the prompt).
    func waitingForInput<T>(_ body: () -> T) -> T {
        isWaitingForInput.store(true, ordering: .releasing)
        defer { isWaitingForInput.store(false, ordering: .releasing) }
        return body()
    }
}
