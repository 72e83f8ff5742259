// The smallest C needed to use libjpeg from Swift: libjpeg reports errors by
// calling error_exit, which must not return, so every call that can fail goes
// through an entry point here that setjmp()s first and returns a status. Swift
// never sees a longjmp.
#ifndef CJPEGSHIM_H
#define CJPEGSHIM_H

// jpeglib.h needs FILE and size_t declared before it.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>

/// What an entry point returns. Anything but CJPEG_OK comes with a message.
typedef enum {
    CJPEG_OK = 0,
    /// error_exit, or a warning about corrupt data (bad Huffman code, data
    /// ending inside a segment…): the pixels would be wrong, so it is an error.
    CJPEG_CORRUPT = 1,
    /// The data ended before the image did ("Premature end of JPEG file").
    CJPEG_TRUNCATED = 2,
    /// A valid JPEG this libjpeg cannot decode (12-bit, lossless, a colour
    /// conversion it lacks).
    CJPEG_UNSUPPORTED = 3,
    /// libjpeg could not allocate memory.
    CJPEG_NO_MEMORY = 4,
} cjpeg_status;

/// A decompressor reading from memory, with its error manager and jump buffer.
typedef struct cjpeg_decoder cjpeg_decoder;

/// Creates a decompressor over `data`, which must outlive it. NULL if out of memory.
cjpeg_decoder *cjpeg_decoder_create(const unsigned char *data, unsigned long size);
/// Frees everything libjpeg allocated, whatever state the decoder is in.
void cjpeg_decoder_destroy(cjpeg_decoder *decoder);
/// libjpeg's own struct: read its fields, and set decompression parameters
/// (scale_num, out_color_space…) between reading the header and starting.
struct jpeg_decompress_struct *cjpeg_decoder_info(cjpeg_decoder *decoder);
/// The message for the last status other than CJPEG_OK.
const char *cjpeg_decoder_message(const cjpeg_decoder *decoder);

/// jpeg_read_header, keeping APP1 markers (EXIF) in info->marker_list.
cjpeg_status cjpeg_read_header(cjpeg_decoder *decoder);
/// jpeg_start_decompress with the parameters already set on the struct.
cjpeg_status cjpeg_start(cjpeg_decoder *decoder);
/// jpeg_crop_scanline: moves *x_offset left to an iMCU boundary and widens *width to match.
cjpeg_status cjpeg_crop_scanline(cjpeg_decoder *decoder, JDIMENSION *x_offset, JDIMENSION *width);
/// jpeg_skip_scanlines: discards `lines` output rows (up to the end of the image).
cjpeg_status cjpeg_skip_scanlines(cjpeg_decoder *decoder, JDIMENSION lines);
/// jpeg_read_scanlines for one row into `row`, which holds
/// output_width * output_components samples.
cjpeg_status cjpeg_read_scanline(cjpeg_decoder *decoder, JSAMPLE *row);
/// jpeg_finish_decompress, after the last row: checks the data to the EOI marker.
cjpeg_status cjpeg_finish(cjpeg_decoder *decoder);
/// jpeg_abort_decompress: stops early and frees the image's buffers.
void cjpeg_abort(cjpeg_decoder *decoder);

/// What to encode: `samples` are `components` interleaved samples per pixel in
/// `in_color_space`, row-major.
typedef struct {
    const JSAMPLE *samples;
    JDIMENSION width;
    JDIMENSION height;
    int components;
    J_COLOR_SPACE in_color_space;
    /// The colour space stored in the file; JCS_UNKNOWN keeps libjpeg's default
    /// (YCbCr for RGB, YCCK is an option for CMYK).
    J_COLOR_SPACE jpeg_color_space;
    int quality;
    /// The luma sampling factors, chroma being 1×1: 2×2 is 4:2:0, 2×1 is 4:2:2,
    /// 1×1 is 4:4:4. 0 keeps libjpeg's default (2×2).
    int luma_h_samp_factor;
    int luma_v_samp_factor;
    /// Non-zero writes a progressive JPEG (jpeg_simple_progression).
    int progressive;
} cjpeg_encode_request;

/// Encodes into a buffer the shim mallocs; free it with cjpeg_free.
/// On failure, `message` (JMSG_LENGTH_MAX bytes) says why.
cjpeg_status cjpeg_encode(const cjpeg_encode_request *request,
                          unsigned char **output, unsigned long *output_size,
                          char *message);
void cjpeg_free(void *pointer);

#endif
