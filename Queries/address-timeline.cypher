// What did one address ($address) send and receive, in time order?
// Every transfer with $address at either end: time, block, sender, receiver, value and token
// contract (null for the native coin). Run with --param address=0x...
MATCH (a:Address {address: toLower($address)})-[t:TRANSFER]-(o:Address)
RETURN t.time, t.block, startNode(t).address AS sender, endNode(t).address AS receiver, t.value, t.asset
ORDER BY t.time, t.block, t.logIndex
