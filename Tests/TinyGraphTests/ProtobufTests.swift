import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct ProtobufTests {
    private func decodeGraph(_ bytes: [UInt8]) throws(TinyGraphError) -> GraphDef {
        let result: Result<GraphDef, TinyGraphError> = bytes.withUnsafeBytes { buffer in
            do throws(TinyGraphError) { return .success(try GraphDef.decode(file: buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func decodeTensor(_ spec: GraphBuilder.TensorSpec) throws(TinyGraphError) -> (TensorType, [Float]) {
        var writer = ProtoWriter()
        spec.encode(&writer)
        let bytes = writer.bytes
        let result: Result<(TensorType, [Float]), TinyGraphError> = bytes.withUnsafeBytes { buffer in
            do throws(TinyGraphError) {
                var reader = ProtoReader(file: buffer, range: ByteRange(start: 0, count: buffer.count), message: "TensorProto")
                let (type, data) = try TensorProto.decode(&reader).makeBuffer(file: buffer, node: "c", op: "Const")
                var values: [Float] = []
                withExtendedLifetime(data) {  // read through its pointer: keep it alive in optimised builds
                    for index in 0..<type.elementCount {
                        switch type.dtype {
                        case .float32: values.append(data.bytes.assumingMemoryBound(to: Float.self)[index])
                        case .int32: values.append(Float(data.bytes.assumingMemoryBound(to: Int32.self)[index]))
                        default: values.append(Float(data.bytes.assumingMemoryBound(to: Int64.self)[index]))
                        }
                    }
                }
                return .success((type, values))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    @Test func decodesNodesInputsAndEveryAttrKind() throws {
        var graph = GraphBuilder()
        graph.node("n", "Foo", inputs: ["a", "b:1", "^c"], attrs: [
            ("i", .int(-3)), ("f", .float(0.5)), ("b", .bool(true)), ("s", .string("SAME")),
            ("t", .type(3)), ("list", .ints([1, 2, -1])), ("shape", .shape([-1, 7])),
        ])
        let decoded = try decodeGraph(graph.bytes)
        let node = try #require(decoded.nodes.first)
        #expect(node.name == "n" && node.op == "Foo")
        #expect(node.inputs == ["a", "b:1", "^c"])
        #expect(node.attributes["i"] == .int(-3))
        #expect(node.attributes["f"] == .float(0.5))
        #expect(node.attributes["b"] == .bool(true))
        #expect(node.attributes["s"] == .string("SAME"))
        #expect(node.attributes["t"] == .type(3))
        #expect(node.attributes["list"] == .list(AttrList(ints: [1, 2, -1])))
        #expect(node.attributes["shape"] == .shape(TensorShapeProto(dims: [-1, 7])))
    }

    @Test func unpackedRepeatedIntsAndUnknownFieldsAreRead() throws {
        var list = ProtoWriter()
        list.int(3, 4)  // unpacked list(int) entries
        list.int(3, 5)
        list.fixed32(15, 7)  // unknown field, fixed32
        var node = ProtoWriter()
        node.string(1, "n")
        node.string(2, "Foo")
        node.message(5) { entry in
            entry.string(1, "strides")
            entry.message(2) { $0.bytes(1, list.bytes) }
        }
        node.int(99, 12345)          // unknown varint field
        node.bytes(4, Array("/cpu:0".utf8))  // device, skipped
        var graph = ProtoWriter()
        graph.bytes(1, node.bytes)
        graph.message(4) { $0.int(1, 27) }   // versions, skipped
        let decoded = try decodeGraph(graph.bytes)
        #expect(decoded.nodes.count == 1)
        #expect(decoded.nodes[0].attributes["strides"] == .list(AttrList(ints: [4, 5])))
    }

    @Test func lengthPastTheEndIsAMalformedFileError() {
        var graph = ProtoWriter()
        graph.key(1, 2)
        graph.varint(1000)   // claims 1000 bytes
        graph.bytes += [1, 2, 3]
        #expect { try decodeGraph(graph.bytes) } throws: { ($0 as? TinyGraphError)?.kind == .malformedFile }
    }

    @Test func wrongWireTypeForAKnownFieldIsRejected() {
        var node = ProtoWriter()
        node.int(1, 5)   // name as a varint
        var graph = ProtoWriter()
        graph.bytes(1, node.bytes)
        #expect { try decodeGraph(graph.bytes) } throws: { error in
            let error = error as? TinyGraphError
            return error?.kind == .malformedFile && error?.field == "NodeDef.name"
        }
    }

    @Test func overlongVarintAndGroupsAreRejected() {
        let overlong: [UInt8] = [0x08] + [UInt8](repeating: 0xFF, count: 11)
        #expect(throws: TinyGraphError.self) { try decodeGraph(overlong) }
        let group: [UInt8] = [0x0B, 0x0C]   // field 1 start-group, end-group
        #expect(throws: TinyGraphError.self) { try decodeGraph(group) }
        let fieldZero: [UInt8] = [0x00, 0x01]
        #expect(throws: TinyGraphError.self) { try decodeGraph(fieldZero) }
    }

    @Test func typedValuesRepeatTheLastValue() throws {
        let (type, values) = try decodeTensor(GraphBuilder.TensorSpec(dtype: 1, shape: [2, 3], floatValues: [1, 2]))
        #expect(type == TensorType(.float32, [2, 3]))
        #expect(values == [1, 2, 2, 2, 2, 2])
        let (_, ints) = try decodeTensor(.int32s([7], [4]))
        #expect(ints == [7, 7, 7, 7])
    }

    @Test func scalarsAndEmptyValues() throws {
        let (scalarType, scalar) = try decodeTensor(GraphBuilder.TensorSpec(dtype: 1, shape: [], floatValues: [3.5]))
        #expect(scalarType.shape == [] && scalar == [3.5])
        let (_, zeros) = try decodeTensor(GraphBuilder.TensorSpec(dtype: 1, shape: [3]))
        #expect(zeros == [0, 0, 0])
        let (_, content) = try decodeTensor(.floats([1, -2, 3], [3]))
        #expect(content == [1, -2, 3])
    }

    @Test func contentOfTheWrongSizeNamesTheField() {
        var spec = GraphBuilder.TensorSpec.floats([1, 2, 3], [4])
        spec.shape = [4]
        #expect { try decodeTensor(spec) } throws: { error in
            let error = error as? TinyGraphError
            return error?.field == "value.tensor_content" && error?.node == "c"
        }
    }

    @Test func tooManyValuesNegativeAndAbsurdDimsAreRejected() {
        #expect(throws: TinyGraphError.self) { try decodeTensor(GraphBuilder.TensorSpec(dtype: 1, shape: [2], floatValues: [1, 2, 3])) }
        #expect(throws: TinyGraphError.self) { try decodeTensor(GraphBuilder.TensorSpec(dtype: 1, shape: [-5], floatValues: [1])) }
        #expect(throws: TinyGraphError.self) { try decodeTensor(GraphBuilder.TensorSpec(dtype: 1, shape: [1 << 40, 1 << 30], floatValues: [1])) }
        #expect(throws: TinyGraphError.self) { try decodeTensor(GraphBuilder.TensorSpec(dtype: 7, shape: [1])) }  // DT_STRING
    }
}
