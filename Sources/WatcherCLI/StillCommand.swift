import ArgumentParser
import TinyImage
import Watcher

struct StillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "still",
        abstract: "Save one still from the camera, to find the lock's --crop in it.",
        discussion: """
            A SoraCam still spends one export of the camera's monthly budget (see `watcher usage`); \
            the command says so. Open the file in an image viewer, note the lock's box as WxH+X+Y, \
            and try it with `watcher check --image FILE --crop WxH+X+Y --save-crop crop.jpg`.
            """)

    @Option(help: ArgumentHelp("Where to write the JPEG. (env WATCHER_OUTPUT)", valueName: "path"))
    var output: String?

    @OptionGroup(title: "Camera") var source: SourceOptions
    @Flag(help: "Print the result as one JSON object. (env WATCHER_JSON)") var json = false

    func run() throws {
        guard let output = EnvironmentFallback.string(output, "WATCHER_OUTPUT") else {
            throw ValidationError("say where to save the still: --output still.jpg")
        }
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let transport = try reportingFailures { try CurlTransport(userAgent: "watcher/" + WatcherVersion.text) }
        let camera = try source.makeSource(transport: transport, tokenFolder: nil, allowFile: false)
        let spendsExport = camera is SoraCamImageSource
        Interruption.install()
        try reportingFailures {
            if spendsExport {
                printError("watcher: exporting one still of \(camera.cameraID): this spends one export of the camera's monthly budget")
            }
            let time = WallTime.nowMillis()
            let still = try camera.fetchStill(now: time)
            let info: JPEGInfo
            do throws(ImageError) { info = try JPEGDecoder.info(still) } catch {
                throw WatcherError(.image, "the camera sent something that is not a usable JPEG: \(error.message)")
            }
            try FileSystem.writeAtomically(still, to: output)
            if json {
                printJSON([
                    "output": .string(output), "camera": .string(camera.cameraID), "time": .string(WallTime.iso8601(time)),
                    "width": .number(Double(info.width)), "height": .number(Double(info.height)),
                    "bytes": .number(Double(still.count)), "exportsSpent": .number(spendsExport ? 1 : 0),
                ])
            } else {
                printLine("saved \(output): \(info.width)x\(info.height), \(still.count / 1024) KB, taken "
                    + WallTime.localText(time) + (spendsExport ? "; 1 export spent" : ""))
            }
        }
    }
}
