public import SpoorStore

/// The UTXO transactions of a store snapshot (a store written by ``UTXOWriter``), as the taint engine reads them.
///
/// ``transaction(_:)`` decodes one transaction record and looks up who spent each output; ``transactions(of:)`` reads
/// one address's adjacency stream (never the whole store).
///
/// Inputs whose value the store does not know (coinbase inputs, and inputs spending outputs outside the data set)
/// carry no taint. For the haircut share their value matters, so the first such input of a transaction is given the
/// part of the outputs the known inputs do not cover (`Σ outputs − Σ known inputs`, at least 0: as if the fee were
/// zero) and any other such input 0; coinbase inputs are given exactly what the outputs hold beyond the known inputs,
/// which is subsidy plus fees.
public struct StoreUTXOFlow: UTXOFlowSource {
    /// The snapshot.
    public let reader: GraphReader

    /// Wraps a reader.
    public init(reader: GraphReader) { self.reader = reader }

    public func transaction(_ id: TxID) throws -> UTXOTransaction? {
        guard let record = try reader.transaction(id), let details = record.utxo else { return nil }
        let known = details.inputs.reduce(Amount.zero) { total, input in
            input.value.flatMap { total.adding($0) } ?? total
        }
        var missing = (details.outputValue ?? .zero).subtracting(known) ?? .zero
        var inputs: [UTXOInput] = []
        inputs.reserveCapacity(details.inputs.count)
        for input in details.inputs {
            let spends: OutPoint?
            if case .output(let transaction, let index) = input.source {
                spends = OutPoint(tx: transaction, index: Int(index))
            } else {
                spends = nil
            }
            let value: Amount
            if let known = input.value {
                value = known
            } else {
                value = missing
                missing = .zero
            }
            inputs.append(UTXOInput(address: input.address, value: value, spends: spends))
        }
        var outputs: [UTXOOutput] = []
        outputs.reserveCapacity(details.outputs.count)
        for (index, output) in details.outputs.enumerated() {
            outputs.append(
                UTXOOutput(
                    address: output.address, value: output.value,
                    spentBy: try reader.spender(ofOutput: UInt32(index), of: id)))
        }
        return UTXOTransaction(
            id: id, block: record.block, index: details.position, time: record.time, inputs: inputs, outputs: outputs)
    }

    public func transactions(of address: AddressID) throws -> [TxID] {
        var result: [TxID] = []
        for incidence in try reader.incidences(of: address) where result.last != incidence.properties.tx {
            result.append(incidence.properties.tx)
        }
        // A stream holds chain order; one transaction's input and output incidences may interleave with none other.
        var seen = Set<TxID>()
        return result.filter { seen.insert($0).inserted }
    }
}
