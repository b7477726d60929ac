// Exposure of $address to the OFAC watchlist within 3 hops (haircut taint from every listed address), with the
// number of evidence paths (CALL spoor.exposure(...) YIELD evidence gives them: transfers, amounts, times).
CALL spoor.exposure($address, {watchlist: 'ofac', maxHops: 3, policy: 'haircut'})
YIELD directIn, indirectIn, directOut, indirectOut, totalIn, totalOut, minimalHop, risk, evidence
RETURN directIn, indirectIn, directOut, indirectOut, totalIn, totalOut, minimalHop, risk, size(evidence) AS paths
