// Classifies one region of a JPEG with a Custom Vision style model:
//   ClassifyJPEG MODEL.pb IMAGE.jpg [WIDTHxHEIGHT+X+Y]
// Labels come from labels.txt beside the model, one per line, in output order.
import Foundation
import TinyGraph
import TinyImage

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4 else {
    print("usage: ClassifyJPEG MODEL.pb IMAGE.jpg [WIDTHxHEIGHT+X+Y]")
    exit(64)
}
let modelPath = arguments[1], imagePath = arguments[2]
let labelsPath = URL(fileURLWithPath: modelPath).deletingLastPathComponent().appendingPathComponent("labels.txt").path

do {
    let model = try Model(contentsOf: modelPath)
    let labels = try String(decoding: readFile(labelsPath), as: UTF8.self).split(separator: "\n").map(String.init)

    // The input is [1, height, width, 3]: decode only the crop, then resize to that size.
    let (height, width) = (model.inputs[0].shape[1], model.inputs[0].shape[2])
    let crop = arguments.count == 4 ? try parseCrop(arguments[3]) : nil
    let image = try JPEGDecoder.decode(readFile(imagePath), crop: crop, minimumSize: (width, height))
        .resizedArea(width: width, height: height)

    // Custom Vision exports take BGR 0-255 and normalise inside the graph.
    let outputs = try model.run(image.tensor(.bgr255(mean: nil)))
    for (label, probability) in zip(labels, outputs[0].values).sorted(by: { $0.1 > $1.1 }).prefix(3) {
        print(label, String(format: "%.4f", probability))
    }
} catch {
    // TinyGraphError and ImageError both describe themselves in one line.
    print("ClassifyJPEG: error: \(error)")
    exit(1)
}

struct AppError: Error, CustomStringConvertible { let description: String }

func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw AppError(description: "cannot read \(path)") }
    return [UInt8](data)
}

/// ImageMagick's geometry, WIDTHxHEIGHT+X+Y, as a PixelRect.
func parseCrop(_ text: String) throws -> PixelRect {
    let numbers = text.split(whereSeparator: { $0 == "x" || $0 == "+" }).compactMap { Int($0) }
    guard numbers.count == 4 else { throw AppError(description: "crop '\(text)' is not WIDTHxHEIGHT+X+Y") }
    return PixelRect(x: numbers[2], y: numbers[3], width: numbers[0], height: numbers[1])
}
