#include "CJPEGShim.h"

#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

// An error manager whose error_exit jumps back to the entry point that was
// called, after keeping the formatted message and a status for it.
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    cjpeg_status status;
    char message[JMSG_LENGTH_MAX];
} shim_error_manager;

struct cjpeg_decoder {
    struct jpeg_decompress_struct info;
    shim_error_manager errors;
};

static cjpeg_status status_for_code(int code) {
    switch (code) {
    case JWRN_JPEG_EOF:
    case JERR_INPUT_EOF:
    case JERR_INPUT_EMPTY:
        return CJPEG_TRUNCATED;
    case JERR_BAD_PRECISION:
    case JERR_SOF_UNSUPPORTED:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
        return CJPEG_UNSUPPORTED;
    case JERR_OUT_OF_MEMORY:
        return CJPEG_NO_MEMORY;
    default:
        return CJPEG_CORRUPT;
    }
}

static void shim_error_exit(j_common_ptr info) {
    shim_error_manager *errors = (shim_error_manager *)info->err;
    errors->status = status_for_code(errors->pub.msg_code);
    errors->pub.format_message(info, errors->message);
    longjmp(errors->jump, 1);
}

// Warnings (msg_level -1) mean libjpeg carried on past bad data, filling the
// rest with grey. Only an unknown JFIF revision is harmless; every other
// warning stops the decode as an error. Trace messages (level >= 0) are ignored.
static void shim_emit_message(j_common_ptr info, int msg_level) {
    if (msg_level >= 0 || info->err->msg_code == JWRN_JFIF_MAJOR) return;
    shim_error_exit(info);
}

static void shim_errors_init(j_common_ptr info, shim_error_manager *errors) {
    info->err = jpeg_std_error(&errors->pub);
    errors->pub.error_exit = shim_error_exit;
    errors->pub.emit_message = shim_emit_message;
    errors->status = CJPEG_OK;
    errors->message[0] = 0;
}

cjpeg_decoder *cjpeg_decoder_create(const unsigned char *data, unsigned long size) {
    cjpeg_decoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) return NULL;
    shim_errors_init((j_common_ptr)&decoder->info, &decoder->errors);
    if (setjmp(decoder->errors.jump)) {
        // Out of memory, or an empty buffer: free what was made, if anything.
        jpeg_destroy_decompress(&decoder->info);
        free(decoder);
        return NULL;
    }
    jpeg_create_decompress(&decoder->info);
    jpeg_mem_src(&decoder->info, data, size);
    return decoder;
}

void cjpeg_decoder_destroy(cjpeg_decoder *decoder) {
    if (decoder == NULL) return;
    jpeg_destroy_decompress(&decoder->info);
    free(decoder);
}

struct jpeg_decompress_struct *cjpeg_decoder_info(cjpeg_decoder *decoder) {
    return &decoder->info;
}

const char *cjpeg_decoder_message(const cjpeg_decoder *decoder) {
    return decoder->errors.message;
}

// Runs `call` under setjmp: a libjpeg error inside it returns its status here.
#define GUARDED(decoder, call)                                  \
    do {                                                        \
        if (setjmp((decoder)->errors.jump)) return (decoder)->errors.status; \
        call;                                                   \
        return CJPEG_OK;                                        \
    } while (0)

cjpeg_status cjpeg_read_header(cjpeg_decoder *decoder) {
    GUARDED(decoder, {
        jpeg_save_markers(&decoder->info, JPEG_APP0 + 1, 0xFFFF);
        jpeg_read_header(&decoder->info, TRUE);
    });
}

cjpeg_status cjpeg_start(cjpeg_decoder *decoder) {
    GUARDED(decoder, jpeg_start_decompress(&decoder->info));
}

cjpeg_status cjpeg_crop_scanline(cjpeg_decoder *decoder, JDIMENSION *x_offset, JDIMENSION *width) {
    GUARDED(decoder, jpeg_crop_scanline(&decoder->info, x_offset, width));
}

cjpeg_status cjpeg_skip_scanlines(cjpeg_decoder *decoder, JDIMENSION lines) {
    GUARDED(decoder, {
        if (jpeg_skip_scanlines(&decoder->info, lines) != lines) {
            decoder->errors.status = CJPEG_CORRUPT;
            strcpy(decoder->errors.message, "could not skip to the crop's first row");
            return CJPEG_CORRUPT;
        }
    });
}

cjpeg_status cjpeg_read_scanline(cjpeg_decoder *decoder, JSAMPLE *row) {
    GUARDED(decoder, {
        JSAMPROW rows[1] = {row};
        // With a memory source, libjpeg never suspends, so 0 rows means an
        // error it did not report; treat it as corrupt rather than loop.
        if (jpeg_read_scanlines(&decoder->info, rows, 1) != 1) {
            decoder->errors.status = CJPEG_CORRUPT;
            strcpy(decoder->errors.message, "libjpeg returned no scanline");
            return CJPEG_CORRUPT;
        }
    });
}

cjpeg_status cjpeg_finish(cjpeg_decoder *decoder) {
    GUARDED(decoder, jpeg_finish_decompress(&decoder->info));
}

void cjpeg_abort(cjpeg_decoder *decoder) {
    jpeg_abort_decompress(&decoder->info);
}

// A destination that grows one malloc'd buffer we own. jpeg_mem_dest would
// do, but after an error mid-encode it leaves its buffer pointer dangling.
typedef struct {
    struct jpeg_destination_mgr pub;
    unsigned char *buffer;
    size_t capacity;
} shim_destination;

static void destination_init(j_compress_ptr info) { (void)info; }
static void destination_term(j_compress_ptr info) { (void)info; }

// Called when the buffer is full: double it.
static boolean destination_grow(j_compress_ptr info) {
    shim_destination *destination = (shim_destination *)info->dest;
    size_t capacity = destination->capacity * 2;
    unsigned char *grown = realloc(destination->buffer, capacity);
    if (grown == NULL) ERREXIT1(info, JERR_OUT_OF_MEMORY, 10);
    destination->pub.next_output_byte = grown + destination->capacity;
    destination->pub.free_in_buffer = capacity - destination->capacity;
    destination->buffer = grown;
    destination->capacity = capacity;
    return TRUE;
}

// Kept apart from cjpeg_encode so that nothing read after a longjmp lives in
// the frame that called setjmp.
static cjpeg_status encode_guarded(struct jpeg_compress_struct *info, shim_error_manager *errors,
                                   shim_destination *destination,
                                   const cjpeg_encode_request *request) {
    if (setjmp(errors->jump)) return errors->status;
    jpeg_create_compress(info);
    destination->buffer = malloc(destination->capacity);
    if (destination->buffer == NULL) ERREXIT1(info, JERR_OUT_OF_MEMORY, 10);
    destination->pub.next_output_byte = destination->buffer;
    destination->pub.free_in_buffer = destination->capacity;
    info->dest = &destination->pub;
    info->image_width = request->width;
    info->image_height = request->height;
    info->input_components = request->components;
    info->in_color_space = request->in_color_space;
    jpeg_set_defaults(info);
    if (request->jpeg_color_space != JCS_UNKNOWN)
        jpeg_set_colorspace(info, request->jpeg_color_space);
    jpeg_set_quality(info, request->quality, TRUE);
    if (request->luma_h_samp_factor > 0 && info->num_components >= 3) {
        info->comp_info[0].h_samp_factor = request->luma_h_samp_factor;
        info->comp_info[0].v_samp_factor = request->luma_v_samp_factor;
    }
    if (request->progressive) jpeg_simple_progression(info);
    jpeg_start_compress(info, TRUE);
    size_t stride = (size_t)request->width * (size_t)request->components;
    while (info->next_scanline < info->image_height) {
        JSAMPROW row = (JSAMPROW)(request->samples + (size_t)info->next_scanline * stride);
        jpeg_write_scanlines(info, &row, 1);
    }
    jpeg_finish_compress(info);
    return CJPEG_OK;
}

cjpeg_status cjpeg_encode(const cjpeg_encode_request *request,
                          unsigned char **output, unsigned long *output_size,
                          char *message) {
    struct jpeg_compress_struct info;
    shim_error_manager errors;
    shim_destination destination = {
        .pub = {.init_destination = destination_init,
                .empty_output_buffer = destination_grow,
                .term_destination = destination_term},
        .buffer = NULL,
        .capacity = 64 * 1024,
    };
    memset(&info, 0, sizeof info);
    shim_errors_init((j_common_ptr)&info, &errors);
    cjpeg_status status = encode_guarded(&info, &errors, &destination, request);
    jpeg_destroy_compress(&info);
    if (status != CJPEG_OK) {
        strcpy(message, errors.message);
        free(destination.buffer);
        *output = NULL;
        *output_size = 0;
        return status;
    }
    *output = destination.buffer;
    *output_size = destination.capacity - destination.pub.free_in_buffer;
    return CJPEG_OK;
}

void cjpeg_free(void *pointer) {
    free(pointer);
}
