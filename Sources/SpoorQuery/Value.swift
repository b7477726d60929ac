public import SpoorStore
/// placeholder: the query helper replaces this file
public enum Value: Sendable, Hashable { case null; case amount(Amount) }
