// libFuzzer entry point for the TFLite FlatBuffers reader and importer: any bytes
// must give a model or a TinyGraphError, never a crash. Every input is stamped with
// the "TFL3" identifier at bytes 4..<8, so that all of them reach the FlatBuffer
// reader instead of the protobuf one. Built by Fuzz/run-tflite-fuzzer with the
// engine's sources and -sanitize=fuzzer,address.
import TinyGraph

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTFLite(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.count < 8 { bytes += [UInt8](repeating: 0, count: 8 - bytes.count) }
    bytes.replaceSubrange(4..<8, with: Array("TFL3".utf8))
    // A small limit keeps a hostile shape from asking the fuzzer for gigabytes.
    let options = LoadOptions(memoryLimit: 64 << 20)
    guard let model = try? Model(bytes: bytes, options: options) else { return 0 }
    // What loads must also run: shapes were validated at import.
    let inputs = model.inputs.map { [Float](repeating: 0.5, count: $0.elementCount) }
    _ = try? model.run(inputs: inputs)
    return 0
}
