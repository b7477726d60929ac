// How much did each sanctioned address send, and to how many receivers?
// One row per address tagged 'ofac': the native coin it sent in total, in how many transfers,
// and to how many distinct receivers (token transfers are left out: their units differ).
MATCH (s:Address)-[t:TRANSFER]->(r:Address)
WHERE 'ofac' IN s.tags AND t.asset IS NULL
RETURN s.address AS sanctioned, sum(t.value) AS sent, count(t) AS transfers, count(DISTINCT r) AS receivers
ORDER BY sent DESC
