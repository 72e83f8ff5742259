/// Writes a copy of a TFLite model with a new classifier head.
///
/// Same class count: the weight and bias bytes are replaced in place, every other
/// byte is kept. Another class count: the new weights and bias go into new buffer
/// data appended at the end of the file (16-byte aligned, as TFLite's own writer
/// aligns buffers), each `Buffer.data` offset is pointed at it (offsets point forward,
/// so the FlatBuffer stays valid; the old bytes stay behind, unreferenced), and the
/// class count is patched in place in the shapes that hold it (the weights and
/// bias, the tensors after the layer, RESHAPE's shape input and `new_shape`). The
/// ranks never change, so every vector keeps its length.
extension TFLiteHead {
    func write(_ file: UnsafeRawBufferPointer, weights: [Float], bias: [Float]) throws(TinyGraphError) -> [UInt8] {
        var output = Array(file)
        let model = try TFLiteModel.decode(file)
        let oldCount = found.classCount
        let newCount = bias.count
        let weightsBuffer = model.buffers[Int(model.subgraphs[0].tensors[weightsTensor].buffer)]
        let biasBuffer = model.buffers[Int(model.subgraphs[0].tensors[biasTensor].buffer)]
        if newCount == oldCount {
            Self.store(littleEndianBytes(weights), at: weightsBuffer.data.start, in: &output)
            Self.store(littleEndianBytes(bias), at: biasBuffer.data.start, in: &output)
            return output
        }

        let flat = FlatBuffer(file)
        let root = try flat.root("Model")
        let bufferTables = try root.tables(4, "buffers", type: "Buffer")
        let tensorTables = try root.tables(2, "subgraphs", type: "SubGraph")[0].tables(0, "tensors", type: "Tensor")
        for (tensor, values) in [(weightsTensor, weights), (biasTensor, bias)] {
            let table = bufferTables[Int(model.subgraphs[0].tensors[tensor].buffer)]
            guard let field = try table.fieldPosition(0, size: 4, "data") else {
                throw TinyGraphError(.invalidArgument, node: model.subgraphs[0].tensors[tensor].name, field: "Buffer.data",
                                     "the data is stored outside the FlatBuffer; the number of classes cannot change")
            }
            while (output.count + 4) % 16 != 0 { output.append(0) }
            let vector = output.count
            guard let offset = UInt32(exactly: vector - field) else {
                throw TinyGraphError(.invalidArgument, field: "Buffer.data", "the model is too large to append a buffer")
            }
            output += littleEndianBytes([UInt32(values.count * 4)])
            output += littleEndianBytes(values)
            Self.store(littleEndianBytes([offset]), at: field, in: &output)
        }

        // Shapes hold the class count as the last dimension: patch it in place.
        func patchLast(_ vector: FlatVector?) {
            guard let vector, vector.count > 0 else { return }
            let last = vector.start + 4 * (vector.count - 1)
            guard Int32(bitPattern: flat.u32(last)) == Int32(oldCount) else { return }
            Self.store(littleEndianBytes([Int32(newCount)]), at: last, in: &output)
        }
        // The weights' class count is their first dimension ([N, C] or [N, 1, 1, C]).
        if let shape = try tensorTables[weightsTensor].vector(0, "shape", elementSize: 4), shape.count > 0 {
            Self.store(littleEndianBytes([Int32(newCount)]), at: shape.start, in: &output)
        }
        for tensor in Set(classCountTensors) {
            patchLast(try tensorTables[tensor].vector(0, "shape", elementSize: 4))
            patchLast(try tensorTables[tensor].vector(7, "shape_signature", elementSize: 4))
        }
        for op in reshapeOperators {
            let reshape = model.subgraphs[0].operators[op]
            // ReshapeOptions: new_shape (0, [int]).
            if reshape.optionsType == TFLiteOptionsType.reshape.rawValue { patchLast(try reshape.options?.vector(0, "new_shape", elementSize: 4)) }
            if reshape.inputs.count > 1, reshape.inputs[1] >= 0 {
                let shapeTensor = model.subgraphs[0].tensors[Int(reshape.inputs[1])]
                let data = model.buffers[Int(shapeTensor.buffer)].data
                if shapeTensor.type == .int32, data.count >= 4 {
                    // The converter shares equal constants: a shape buffer read elsewhere must not change.
                    var readers = 0
                    for subgraph in model.subgraphs {
                        for other in subgraph.operators {
                            for input in other.inputs where input >= 0 && subgraph.tensors[Int(input)].buffer == shapeTensor.buffer { readers += 1 }
                        }
                    }
                    guard readers == 1 else {
                        throw TinyGraphError(.invalidArgument, node: shapeTensor.name, field: "Buffer.data",
                                             "the RESHAPE after the head shares its shape constant with other operators; the number of classes cannot change")
                    }
                    patchLast(FlatVector(start: data.start, count: data.count / 4, elementSize: 4))
                }
            }
        }
        return output
    }

    private static func store(_ bytes: [UInt8], at position: Int, in output: inout [UInt8]) {
        output.replaceSubrange(position..<position + bytes.count, with: bytes)
    }
}
