// How did funds get from one address ($address) to another ($target)?
// Every path of 1 to 4 transfers from $address to $target whose hops run forward in chain order (block,
// then log index: money moves on only after it arrived), with the addresses, amounts and times (unix
// seconds) of its hops, shortest first. Run with --param address=0x... --param target=0x...
MATCH p = (a:Address {address: toLower($address)})-[:TRANSFER*1..4]->(b:Address {address: toLower($target)})
WITH p, relationships(p) AS hops
WHERE all(i IN range(1, size(hops) - 1) WHERE hops[i - 1].block < hops[i].block
      OR (hops[i - 1].block = hops[i].block AND hops[i - 1].logIndex < hops[i].logIndex))
RETURN length(p) AS length, [n IN nodes(p) | n.address] AS addresses, [r IN hops | r.value] AS amounts,
       [r IN hops | r.time] AS times
ORDER BY length, amounts
