// A minimal TinyGraph runner for Embedded Swift builds (ARM boards, and the
// arm64/armv7 checks under qemu). It uses only TinyGraph's public API and a few
// libc calls declared below: Embedded Swift has no Glibc module.
//
//   tinygraph-embedded [--threads N] MODEL INPUT OUTPUT_PREFIX [OUTPUT_NODE ...]
//
// --threads N runs each inference on N threads (LoadOptions.threads; default 1).
// INPUT is raw little-endian float32 in the model input's NHWC order; output i is
// written to OUTPUT_PREFIX.i.f32 the same way. Exit status 0 on success, 1 with one
// line on stderr otherwise.
import TinyGraph

@_extern(c, "fopen") func fopen(_ path: UnsafePointer<CChar>, _ mode: UnsafePointer<CChar>) -> OpaquePointer?
@_extern(c, "fclose") func fclose(_ file: OpaquePointer) -> Int32
@_extern(c, "fread") func fread(_ buffer: UnsafeMutableRawPointer, _ size: Int, _ count: Int, _ file: OpaquePointer) -> Int
@_extern(c, "fwrite") func fwrite(_ buffer: UnsafeRawPointer, _ size: Int, _ count: Int, _ file: OpaquePointer) -> Int
@_extern(c, "fseek") func fseek(_ file: OpaquePointer, _ offset: Int, _ whence: Int32) -> Int32
@_extern(c, "ftell") func ftell(_ file: OpaquePointer) -> Int
@_extern(c, "rename") func rename(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>) -> Int32
@_extern(c, "write") func write(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int

struct DriverFailure: Error {
    var message: String
}

func printError(_ message: String) {
    var line = "tinygraph-embedded: error: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress!, $0.count) }
}

func readFile(_ path: String) throws(DriverFailure) -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw DriverFailure(message: "cannot open " + path) }
    defer { _ = fclose(file) }
    guard fseek(file, 0, 2) == 0 else { throw DriverFailure(message: "cannot seek " + path) }
    let size = ftell(file)
    guard size >= 0, fseek(file, 0, 0) == 0 else { throw DriverFailure(message: "cannot size " + path) }
    var bytes = [UInt8](repeating: 0, count: size)
    let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress!, 1, size, file) }
    guard read == size else { throw DriverFailure(message: "short read of " + path) }
    return bytes
}

/// Writes to a temporary name, then renames: never a half-written output.
func writeFloats(_ values: [Float], to path: String) throws(DriverFailure) {
    let temporary = path + ".tmp"
    guard let file = fopen(temporary, "wb") else { throw DriverFailure(message: "cannot create " + temporary) }
    let written = values.withUnsafeBytes { fwrite($0.baseAddress!, 1, $0.count, file) }
    let closed = fclose(file) == 0
    guard written == values.count * 4, closed, rename(temporary, path) == 0 else {
        throw DriverFailure(message: "cannot write " + path)
    }
}

func run(_ commandLine: [String]) throws(DriverFailure) {
    let usage = "usage: tinygraph-embedded [--threads N] MODEL INPUT OUTPUT_PREFIX [OUTPUT_NODE ...]"
    var arguments = commandLine
    var threads = 1
    if arguments.count >= 3 && arguments[1] == "--threads" {
        guard let count = Int(arguments[2]), count >= 0 else { throw DriverFailure(message: "--threads takes a count; " + usage) }
        threads = count
        arguments.removeSubrange(1...2)
    }
    guard arguments.count >= 4 else { throw DriverFailure(message: usage) }
    let modelBytes = try readFile(arguments[1])
    let inputBytes = try readFile(arguments[2])
    let options = LoadOptions(outputNames: Array(arguments.dropFirst(4)), threads: threads)
    let model: Model
    do {
        model = try Model(bytes: modelBytes, options: options)
    } catch {
        throw DriverFailure(message: error.description)
    }
    guard model.inputs.count == 1 else { throw DriverFailure(message: "the model has \(model.inputs.count) inputs; this driver takes one") }
    guard inputBytes.count == model.inputs[0].elementCount * 4 else {
        throw DriverFailure(message: "input has \(inputBytes.count) bytes, the model needs \(model.inputs[0].elementCount * 4)")
    }
    var input = [Float](repeating: 0, count: model.inputs[0].elementCount)
    input.withUnsafeMutableBytes { target in inputBytes.withUnsafeBytes { target.copyMemory(from: $0) } }
    let outputs: [Model.Tensor]
    do {
        outputs = try model.run(input)
    } catch {
        throw DriverFailure(message: error.description)
    }
    for (index, output) in outputs.enumerated() {
        try writeFloats(output.values, to: arguments[3] + ".\(index).f32")
        print("output \(index) \(output.name): \(output.values.count) values")
    }
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var arguments: [String] = []
    for index in 0..<Int(argc) {
        arguments.append(String(cString: argv[index]!))
    }
    do throws(DriverFailure) {
        try run(arguments)
        return 0
    } catch {
        printError(error.message)
        return 1
    }
}
