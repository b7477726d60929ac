// Does a peel chain start at one address ($address)?
// Each peel chain that $address starts or funds (spoor.typology.peelChains with its defaults: at least 3
// steps, each hop forwarding >= 50 % of what it got and peeling <= 25 % off to someone else within a day):
// its hops, what each received, what each peeled off and to whom. Run with --param address=0x...
CALL spoor.typology.peelChains(toLower($address), {}) YIELD length, source, addresses, received, peeled, peelTo
RETURN length, source, addresses, received, peeled, peelTo
