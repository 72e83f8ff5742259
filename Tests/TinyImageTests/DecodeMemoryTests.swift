import Foundation
import Testing
@testable import TinyImage

/// A crop of a camera still must not cost a full frame of memory.
@Suite struct DecodeMemoryTests {
    /// The buffers TinyImage allocates: one scanline of the decoded columns
    /// (the crop, a column of margin each side, widened to iMCU boundaries:
    /// at most the crop plus two iMCUs) and the result.
    @Test func scanlineIsTheCropPlusTwoIMCUs() throws {
        // At full size (227 > 128, so no DCT scaling): iMCUs are 16 wide in 4:2:0.
        let full = try JPEGDecoder.decodeReport(TestImages.cameraStill, crop: TestImages.lockRegion, minimumSize: (227, 227))
        #expect(full.plan.scale == 8)
        #expect(full.image.width == 128 && full.image.height == 128)
        #expect(full.columns.x <= 649 && full.columns.x + full.columns.width >= 779)
        #expect(full.scanlineBytes <= (128 + 2 * 16) * 3, "scanline \(full.scanlineBytes) bytes")
        let input = full.image.resizedBilinear(width: 227, height: 227)
        #expect(input.tensor(.bgr255(mean: nil)).count == 227 * 227 * 3)

        // DCT-scaled to half (a 64×64 model input): iMCUs are 8 wide.
        let half = try JPEGDecoder.decodeReport(TestImages.cameraStill, crop: TestImages.lockRegion, minimumSize: (64, 64))
        #expect(half.plan.scale == 4)
        #expect(half.image.width == 64 && half.image.height == 64)
        #expect(half.scanlineBytes <= (64 + 2 * 8) * 3, "scanline \(half.scanlineBytes) bytes")
    }

    /// libjpeg's own heap, counted by the LD_PRELOAD probe (`HeapProbe`). Run
    /// normally, this test builds the probe and runs itself again under it; the bar is
    /// checked in that run, whose failure fails this one.
    /// The bar: at most 2 MiB of decode buffers for the lock region.
    @Test func libjpegHeapForTheLockRegion() throws {
        guard let probe = HeapProbe() else {
            if ProcessInfo.processInfo.environment[HeapProbe.childVariable] != nil {
                Issue.record("LD_PRELOAD is set, but the heap probe's functions are not visible")
                return
            }
            let output = try HeapProbe.runUnderProbe(testName: "libjpegHeapForTheLockRegion")
            let report = output.split(separator: "\n").first { $0.hasPrefix("libjpeg peak heap:") }
            #expect(report != nil, "the run under the probe printed no measurement:\n\(output)")
            if let report { print(report) }
            return
        }
        let still = TestImages.cameraStill
        let cropped = try probe.peak { _ = try JPEGDecoder.decode(still, crop: TestImages.lockRegion, minimumSize: (227, 227)) }
        let scaled = try probe.peak { _ = try JPEGDecoder.decode(still, crop: TestImages.lockRegion, minimumSize: (64, 64)) }
        let whole = try probe.peak { _ = try JPEGDecoder.decode(still) }
        print("libjpeg peak heap: lock region \(cropped) B, lock region at 1/2 \(scaled) B, whole frame \(whole) B")
        // The probe counts: a whole-frame decode needs libjpeg buffers.
        #expect(whole > 0, "the probe counted nothing")
        #expect(cropped <= 2 << 20)
        #expect(scaled <= 2 << 20)
    }
}
