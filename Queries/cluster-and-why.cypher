// The cluster of $address (run `spoor cluster STORE` first): its id and size, and the chain of merges (transactions
// and heuristics) that put $target in the same cluster. No rows when $target is in another cluster.
CALL spoor.cluster.of($address) YIELD cluster, size
CALL spoor.cluster.why($address, $target) YIELD step, from, to, txid, heuristic
RETURN cluster, size, step, from, to, txid, heuristic
ORDER BY step
