// Reading a model from a path: the one part of the engine that touches the OS.
// Embedded builds (no Glibc) leave it out and pass bytes to `Model(bytes:)`.
#if canImport(Glibc) || canImport(Darwin)
#if canImport(Glibc)
import Glibc
private let closeFile = Glibc.close
#else
import Darwin
private let closeFile = Darwin.close
#endif

extension Model {
    /// Loads a frozen GraphDef or a TFLite model (by its "TFL3" identifier, whatever
    /// the file's name) from a file. The file is memory-mapped and read in place;
    /// only the weights are copied, once.
    public convenience init(contentsOf path: String, options: LoadOptions = LoadOptions()) throws(TinyGraphError) {
        let file = try MappedFile(path: path)
        let graph: Graph
        do {
            graph = try Importer.importGraph(file: file.bytes, options: options)
        } catch {
            file.close()
            throw error
        }
        // Unmapped before the arena is allocated: the file's pages and the arena are
        // never resident together.
        file.close()
        try self.init(graph: graph, threads: options.threads, splitsAllWork: options.splitsAllWork)
    }
}

/// A read-only memory map of a whole file.
struct MappedFile {
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws(TinyGraphError) {
        func fail(_ message: String) -> TinyGraphError { TinyGraphError(.io, field: path, message) }
        func systemError() -> String { String(cString: strerror(errno)) }

        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw fail("cannot open: \(systemError())") }
        defer { _ = closeFile(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw fail("cannot stat: \(systemError())") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw fail("not a regular file") }
        let size = Int(status.st_size)
        guard size > 0 else { throw TinyGraphError(.malformedFile, field: path, "the file is empty") }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0),
              address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw fail("cannot map: \(systemError())")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    func close() {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
#endif
