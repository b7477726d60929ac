// Who received funds straight from a sanctioned address?
// Every transfer sent by an address tagged 'ofac' (spoor tags import STORE LIST --tag ofac),
// largest first (native coin and tokens alike), with its receiver and time (unix seconds).
MATCH (s:Address)-[t:TRANSFER]->(r:Address)
WHERE 'ofac' IN s.tags
RETURN s.address, r.address, t.value, t.time
ORDER BY t.value DESC
LIMIT 20
