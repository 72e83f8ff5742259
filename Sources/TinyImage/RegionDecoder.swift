import CJPEGShim

/// Decodes the planned region once libjpeg has read the header: set the
/// scale and colour space, crop the columns, skip the rows above, read the
/// region's rows, stop.
enum RegionDecoder {
    static func decode(
        _ decompressor: borrowing Decompressor, header: JPEGHeader, plan: DecodePlan
    ) throws(ImageError) -> JPEGDecoder.DecodeReport {
        let info = decompressor.info
        let cmyk: Bool
        switch header.info.colorSpace {
        case .grayscale, .yCbCr, .rgb: cmyk = false
        case .cmyk, .ycck: cmyk = true
        case .unknown:
            throw ImageError(.unsupported, "JPEG has \(header.info.components) components in an unknown colour space")
        }
        // libjpeg turns grayscale into RGB itself, and YCCK into CMYK.
        info.pointee.out_color_space = cmyk ? JCS_CMYK : JCS_RGB
        info.pointee.scale_num = UInt32(plan.scale)
        info.pointee.scale_denom = 8
        try decompressor.start()
        if header.info.isProgressive { try checkAllScansArrived(info) }
        guard Int(info.pointee.output_width) == plan.scaledWidth, Int(info.pointee.output_height) == plan.scaledHeight else {
            throw ImageError(.unsupported, "libjpeg scaled to \(info.pointee.output_width)×\(info.pointee.output_height), "
                + "expected \(plan.scaledWidth)×\(plan.scaledHeight)")
        }

        let region = plan.region
        let wanted = columnsToDecode(region, scaledWidth: plan.scaledWidth)
        let columns = wanted.width < plan.scaledWidth
            ? try decompressor.cropColumns(x: wanted.x, width: wanted.width)
            : (x: 0, width: plan.scaledWidth)
        if region.y > 0 { try decompressor.skipRows(region.y) }

        // The only buffers besides libjpeg's: one scanline of the decoded columns, and the result.
        var scanline = [UInt8](repeating: 0, count: Int(info.pointee.output_width) * Int(info.pointee.output_components))
        var rows = RegionWriter(region: region, firstColumn: region.x - columns.x, orientation: plan.orientation)
        for _ in 0 ..< region.height {
            try scanline.withUnsafeMutableBufferPointer { row throws(ImageError) in
                try decompressor.readRow(into: row.baseAddress!)
            }
            if cmyk {
                rows.appendCMYK(scanline, inverted: header.adobe)
            } else {
                rows.appendRGB(scanline)
            }
        }
        if info.pointee.output_scanline < info.pointee.output_height {
            decompressor.abort()
        } else {
            try decompressor.finish()
        }
        return JPEGDecoder.DecodeReport(image: rows.image, plan: plan, columns: columns, scanlineBytes: scanline.count)
    }

    /// The columns to ask libjpeg for (it then moves the start left to an
    /// iMCU boundary). Crops are exact only with two widenings, both measured:
    /// one column of margin on each side, because libjpeg's fancy chroma
    /// upsampling treats the first and last decoded columns as image edges
    /// (off by up to 5 levels in 4:2:2 without it); and at least 16 columns,
    /// because below 2 chroma columns libjpeg switches to plain upsampling
    /// (off by 2 levels for a 1-pixel-wide crop in 4:2:0).
    static func columnsToDecode(_ region: PixelRect, scaledWidth: Int) -> (x: Int, width: Int) {
        var start = max(region.x - 1, 0), end = min(region.x + region.width + 1, scaledWidth)
        if end - start < 16 {
            end = min(start + 16, scaledWidth)
            start = max(end - 16, 0)
        }
        return (start, end - start)
    }

    /// A progressive JPEG cut short at a scan boundary and closed with EOI
    /// decodes without any libjpeg warning, with frequency bands missing or
    /// coarse (measured: mean error 3–4 levels, up to 20). By now libjpeg has
    /// read every scan, and `coef_bits` holds, per component and coefficient,
    /// -1 if no scan carried it, else the low bits still missing (Al). Every
    /// encoder we know refines all coefficients to full precision, so anything
    /// else is treated as a truncated file.
    static func checkAllScansArrived(_ info: UnsafeMutablePointer<jpeg_decompress_struct>) throws(ImageError) {
        guard let bits = info.pointee.coef_bits else { return }
        let count = Int(info.pointee.num_components) * Int(DCTSIZE2)
        let incomplete = UnsafeRawPointer(bits).withMemoryRebound(to: Int32.self, capacity: count) { bits in
            (0 ..< count).first { bits[$0] != 0 }.map { ($0, bits[$0]) }
        }
        if let (index, bits) = incomplete {
            let what = bits < 0 ? "never arrived" : "lacks its last \(bits) bits"
            throw ImageError(.truncated, "progressive JPEG ends early: coefficient \(index % 64) of component \(index / 64) \(what)")
        }
    }
}
