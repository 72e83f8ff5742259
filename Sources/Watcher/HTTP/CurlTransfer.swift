import CCurlShim

/// What one curl transfer reads from and writes into; curl's C callbacks reach
/// it through their `void *` context pointer.
final class CurlTransfer {
    let upload: [UInt8]
    var uploadOffset = 0
    let maxBodyBytes: Int
    var body: [UInt8] = []
    var headers: [HTTPHeader] = []
    /// Set when the body passed `maxBodyBytes` and the write callback aborted.
    var bodyTooLarge = false

    init(upload: [UInt8], maxBodyBytes: Int) {
        self.upload = upload
        self.maxBodyBytes = maxBodyBytes
    }

    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    }
}

/// CURLOPT_WRITEFUNCTION: appends the body, or stops the transfer once it would
/// pass the limit (returning a short count makes curl fail with CURLE_WRITE_ERROR).
func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let transfer = CurlTransfer.from(context)
    let length = size * count
    guard transfer.body.count + length <= transfer.maxBodyBytes else {
        transfer.bodyTooLarge = true
        return 0
    }
    if let data, length > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) {
            transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
    }
    return length
}

/// CURLOPT_HEADERFUNCTION: called once per header line. A status line starts a
/// new header block (a `100 Continue` or a followed redirect comes first), so
/// only the final response's headers remain.
func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let transfer = CurlTransfer.from(context)
    let length = size * count
    guard let data, length > 0 else { return length }
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        transfer.headers = []
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingSpaces
        let value = line[line.index(after: colon)...].trimmingSpaces
        if !name.isEmpty { transfer.headers.append(HTTPHeader(String(name), String(value))) }
    }
    return length
}

/// CURLOPT_READFUNCTION: hands the request body to curl for an upload (PUT).
func curlReadBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let transfer = CurlTransfer.from(context)
    guard let data else { return 0 }
    let length = min(size * count, transfer.upload.count - transfer.uploadOffset)
    guard length > 0 else { return 0 }
    transfer.upload.withUnsafeBytes { source in
        UnsafeMutableRawPointer(data).copyMemory(from: source.baseAddress! + transfer.uploadOffset, byteCount: length)
    }
    transfer.uploadOffset += length
    return length
}

/// CURLOPT_XFERINFOFUNCTION: a non-zero answer makes curl stop with
/// CURLE_ABORTED_BY_CALLBACK, which it does once a stop signal arrived.
func curlAbortWhenInterrupted(_ context: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloadNow: curl_off_t,
                              _ uploadTotal: curl_off_t, _ uploadNow: curl_off_t) -> Int32 {
    Interruption.isRequested ? 1 : 0
}

extension Substring {
    /// Without spaces, tabs, CR and LF at either end.
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
