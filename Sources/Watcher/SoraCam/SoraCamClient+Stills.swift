extension SoraCamClient {
    /// The JPEG still the camera recorded at `time` (unix ms), by way of an image
    /// export: start it, poll its status, download its URL.
    ///
    /// Each export spends the camera's monthly export budget, so the export POST
    /// is sent once per call: it is repeated only after a 429 (refused before it
    /// was processed) or a 401 (refused, then a new login). A 5xx or a timeout
    /// on it fails the call; the next check exports a new instant.
    ///
    /// - Parameter deadline: unix seconds (on the client's clock) by which the
    ///   still must be downloaded; a `.timeout` error otherwise.
    public func exportStill(deviceId: String, time: Int, deadline: Double) throws(WatcherError) -> [UInt8] {
        let started = try call(
            "POST", Self.exportsPath(deviceId), body: ["time": .number(Double(time))],
            operation: "starting the still export of camera \(deviceId)", deadline: deadline, policy: .onlyRefused)
        guard var export = SoraCamImageExport(json: started) else {
            throw WatcherError(.soracam, "starting the still export of camera \(deviceId): the answer has no exportId and status")
        }
        let startedAt = clock.now()
        var delay = options.firstPollDelay
        while true {
            switch export.status {
            case .completed:
                return try download(export, deviceId: deviceId, deadline: deadline)
            case .failed:
                throw WatcherError(.soracam, "still export \(export.exportId) of camera \(deviceId) failed (status failed; is there a recording at \(time)?)",
                                   cause: .cameraOffline)
            case .limitExceeded:
                throw WatcherError(.soracam, "still export of camera \(deviceId) refused: the camera's monthly export budget is spent (status limitExceeded)",
                                   cause: .budgetExhausted)
            case .expired:
                throw WatcherError(.soracam, "still export \(export.exportId) of camera \(deviceId) expired before it was downloaded (status expired)",
                                   cause: .serviceFailing)
            case .initializing, .processing, .retrying, .other:
                guard clock.now() + delay < deadline else {
                    let waited = Int((clock.now() - startedAt).rounded())
                    throw WatcherError(.timeout, "still export \(export.exportId) of camera \(deviceId) was still \(export.status.text) at the deadline (\(waited) s of polling)")
                }
                clock.sleep(seconds: delay)
                delay = min(delay * 2, options.maxPollDelay)
                export = try exportStatus(deviceId: deviceId, exportId: export.exportId, deadline: deadline)
            }
        }
    }

    /// `GET /sora_cam/devices/{device_id}/images/exports/{export_id}`.
    public func exportStatus(deviceId: String, exportId: String, deadline: Double) throws(WatcherError) -> SoraCamImageExport {
        let operation = "polling still export \(exportId) of camera \(deviceId)"
        let json = try call("GET", Self.exportsPath(deviceId) + "/" + percentEncoded(exportId), operation: operation, deadline: deadline)
        guard let export = SoraCamImageExport(json: json) else {
            throw WatcherError(.soracam, "\(operation): the answer has no exportId and status")
        }
        return export
    }

    /// A plain GET of the presigned URL: no SORACOM headers (they are credentials,
    /// and the URL is another host's). A 403/410 means the URL expired: the export
    /// status is read once more in case it offers a fresh URL.
    private func download(_ export: SoraCamImageExport, deviceId: String, deadline: Double) throws(WatcherError) -> [UInt8] {
        guard var url = export.url else {
            throw WatcherError(.soracam, "still export \(export.exportId) of camera \(deviceId) completed without a url")
        }
        var refreshed = false
        while true {
            let operation = "downloading still export \(export.exportId) from \(redactedURL(url))"
            var request = HTTPRequest(method: "GET", url: url, maxResponseBytes: options.maxStillBytes)
            request.followRedirects = true
            let response = try send(request, operation: operation, deadline: deadline, policy: .idempotent)
            if response.isSuccess {
                guard !response.body.isEmpty else { throw WatcherError(.image, "\(operation): the file is empty") }
                return response.body
            }
            guard response.status == 403 || response.status == 410 else {
                throw WatcherError(.http, "\(operation): HTTP \(response.status)", status: response.status)
            }
            if !refreshed {
                refreshed = true
                let again = try exportStatus(deviceId: deviceId, exportId: export.exportId, deadline: deadline)
                if again.status == .completed, let fresh = again.url, fresh != url {
                    url = fresh
                    continue
                }
                throw WatcherError(.soracam, "\(operation): export URL expired (HTTP \(response.status), export status now \(again.status.text))",
                                   status: response.status, cause: .serviceFailing)
            }
            throw WatcherError(.soracam, "\(operation): export URL expired (HTTP \(response.status))", status: response.status,
                               cause: .serviceFailing)
        }
    }

    static func exportsPath(_ deviceId: String) -> String {
        "/sora_cam/devices/\(percentEncoded(deviceId))/images/exports"
    }
}

/// `text` safe as one URL path segment: everything but RFC 3986 unreserved
/// characters percent-encoded.
func percentEncoded(_ text: String) -> String {
    var result = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            result.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            result += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return result
}
