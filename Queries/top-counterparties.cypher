// Whom does one address ($address) deal with most?
// Its counterparties by native-coin volume (sent plus received), with the number of transfers and the
// amounts each way; token transfers are left out (their units differ). Run with --param address=0x...
MATCH (a:Address {address: toLower($address)})-[t:TRANSFER]-(o:Address)
WHERE t.asset IS NULL AND o.address <> a.address
RETURN o.address AS counterparty, count(t) AS transfers,
       sum(CASE WHEN startNode(t).address = a.address THEN t.value ELSE 0 END) AS sent,
       sum(CASE WHEN endNode(t).address = a.address THEN t.value ELSE 0 END) AS received,
       sum(t.value) AS volume
ORDER BY volume DESC, counterparty
LIMIT 10
