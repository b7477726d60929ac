// What did one address ($address) exchange directly with sanctioned addresses?
// One row per listed counterparty (tagged 'ofac'), direction ('in': received from it, 'out': sent to it)
// and asset (null for the native coin): the number of transfers and their total value in base units.
// Run with --param address=0x...
MATCH (a:Address {address: toLower($address)})-[t:TRANSFER]-(s:Address)
WHERE 'ofac' IN s.tags AND s.address <> a.address
RETURN CASE WHEN startNode(t).address = s.address THEN 'in' ELSE 'out' END AS direction,
       s.address AS listed, t.asset AS asset, count(t) AS transfers, sum(t.value) AS value
ORDER BY direction, listed, asset
