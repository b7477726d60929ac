// How did funds get from one address ($address) to another ($target)?
// The shortest paths of transfers from $address to $target (fewest hops, at most 4; a breadth-first
// search, so hubs do not blow it up), kept when their hops run forward in chain order (block, then log
// index: money moves on only after it arrived), with the addresses, amounts and times (unix seconds) of
// each hop. A longer path that runs forward is not looked for when every shortest one runs backwards.
// Run with --param address=0x... --param target=0x...
MATCH p = allShortestPaths((a:Address {address: toLower($address)})-[:TRANSFER*1..4]->(b:Address {address: toLower($target)}))
WITH p, relationships(p) AS hops
WHERE all(i IN range(1, size(hops) - 1) WHERE hops[i - 1].block < hops[i].block
      OR (hops[i - 1].block = hops[i].block AND hops[i - 1].logIndex < hops[i].logIndex))
RETURN length(p) AS length, [n IN nodes(p) | n.address] AS addresses, [r IN hops | r.value] AS amounts,
       [r IN hops | r.time] AS times
ORDER BY length, amounts
