/// The per-block ordering key Spoor stores as the `logIndex` of an ethereum-etl transfer.
///
/// A block's value transfers come in chain order: by transaction index; within a transaction its own value first,
/// then its internal transfers (traces) in trace order, then its token transfers by log index. The key packs that
/// order into 32 bits, so that sorting a block's transfers by key is chain order, and each key is unique within its
/// transaction (the store deduplicates by transaction hash and key):
///
/// ```
/// bits 31…19  transaction index (0 … 8,191)
/// bits 18…0   position in the transaction ("local"):
///             0                  the transaction's own value (transactions.csv, or its top-level trace)
///             1 … 131,071        internal transfer: its rank among the transaction's call/create/self-destruct
///                                traces in trace order (trace_address order), top-level trace excluded
///             131,072 + log      token transfer with block-wide log index `log` (0 … 393,215)
/// ```
///
/// A trace's rank counts every call (call type `call`), create and self-destruct trace of the transaction, whatever
/// its value or status, so the key does not depend on `--keep-zero` or on which sibling failed. Log indexes are
/// block-wide in ethereum-etl and increase with the transaction index, so token keys also sort by log index.
///
/// `token_transfers.csv` has no transaction index: it is taken from `transactions.csv`, `receipts.csv` or
/// `traces.csv` of the same ingest. Without them it is 0, and the ingester recognises a token transfer the store
/// already holds under another transaction index by its local part (same transaction, same log index), so a later
/// ingest that knows the index adds nothing.
///
/// Limits (a row beyond them is rejected with the reason, never wrapped): at 36M gas a block holds at most 1,714
/// transactions (21,000 gas each) and 96,000 logs (375 gas each), far inside them.
public enum EthereumETLOrderKey {
    /// Bits of the local part.
    public static let localBits = 19
    /// The largest transaction index a key holds.
    public static let maximumTransactionIndex: UInt64 = (1 << (32 - UInt64(localBits))) - 1
    /// The local part of the first token transfer slot.
    public static let firstLogSlot: UInt32 = 1 << 17
    /// The largest trace rank a key holds.
    public static let maximumTraceRank: UInt64 = UInt64(firstLogSlot) - 1
    /// The largest log index a key holds.
    public static let maximumLogIndex: UInt64 = (1 << UInt64(localBits)) - UInt64(firstLogSlot) - 1
    static let localMask: UInt32 = (1 << UInt32(localBits)) - 1

    /// The key of a transaction's own value.
    public static func own(transactionIndex: UInt32) -> UInt32? {
        make(transactionIndex, local: 0)
    }

    /// The key of the internal transfer of rank `rank` (1-based).
    public static func trace(transactionIndex: UInt32, rank: UInt64) -> UInt32? {
        guard rank >= 1, rank <= maximumTraceRank else { return nil }
        return make(transactionIndex, local: UInt32(rank))
    }

    /// The key of the token transfer with block-wide log index `logIndex`.
    public static func log(transactionIndex: UInt32, logIndex: UInt64) -> UInt32? {
        guard logIndex <= maximumLogIndex else { return nil }
        return make(transactionIndex, local: firstLogSlot + UInt32(logIndex))
    }

    /// The transaction index a key holds.
    public static func transactionIndex(of key: UInt32) -> UInt32 { key >> UInt32(localBits) }

    /// The position within the transaction.
    public static func local(of key: UInt32) -> UInt32 { key & localMask }

    private static func make(_ transactionIndex: UInt32, local: UInt32) -> UInt32? {
        guard UInt64(transactionIndex) <= maximumTransactionIndex else { return nil }
        return transactionIndex << UInt32(localBits) | local
    }
}
