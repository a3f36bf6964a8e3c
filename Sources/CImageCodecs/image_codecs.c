#include "image_codecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

void ck_free(void *pointer) { free(pointer); }

static void set_error(char *error, size_t error_size, const char *message) {
    if (error && error_size) { snprintf(error, error_size, "%s", message); }
}

// PNG: the simplified API returns errors instead of jumping; it expands palettes,
// reduces 16-bit samples to 8 bits and deinterlaces.
int ck_decode_png(const unsigned char *data, size_t size, size_t max_pixels, ck_image *image, char *error,
                  size_t error_size) {
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&png, data, size)) {
        set_error(error, error_size, png.message);
        return 1;
    }
    if ((size_t)png.width * png.height > max_pixels) {
        image->width = (int)png.width;
        image->height = (int)png.height;
        png_image_free(&png);
        return CK_TOO_MANY_PIXELS;
    }
    int has_alpha = (png.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    int color = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
    png.format = color ? (has_alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB) : (has_alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
    size_t bytes = PNG_IMAGE_SIZE(png);
    unsigned char *pixels = malloc(bytes);
    if (!pixels) {
        png_image_free(&png);
        set_error(error, error_size, "out of memory");
        return 1;
    }
    if (!png_image_finish_read(&png, NULL, pixels, 0, NULL)) {
        set_error(error, error_size, png.message);
        free(pixels);
        return 1;
    }
    image->pixels = pixels;
    image->width = (int)png.width;
    image->height = (int)png.height;
    image->channels = (int)PNG_IMAGE_SAMPLE_CHANNELS(png.format);
    return 0;
}

int ck_encode_png(const unsigned char *pixels, int width, int height, int channels, unsigned char **output,
                  size_t *output_size, char *error, size_t error_size) {
    static const png_uint_32 formats[] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = (png_uint_32)width;
    png.height = (png_uint_32)height;
    png.format = formats[channels];
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&png, NULL, &size, 0, pixels, 0, NULL)) {
        set_error(error, error_size, png.message);
        return 1;
    }
    unsigned char *buffer = malloc(size);
    if (!buffer || !png_image_write_to_memory(&png, buffer, &size, 0, pixels, 0, NULL)) {
        set_error(error, error_size, buffer ? png.message : "out of memory");
        free(buffer);
        return 1;
    }
    *output = buffer;
    *output_size = size;
    return 0;
}

// JPEG: an error manager that jumps back into this file instead of calling exit().
typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_error;

static void jpeg_error_exit(j_common_ptr info) {
    jpeg_error *error = (jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

// Warnings are silent, except those saying the data ends early or is corrupt: libjpeg
// would fill the rest of a truncated file with gray, where the user expects a failure.
// (Extraneous bytes before a marker stay a warning: many cameras write them.)
static void jpeg_warning(j_common_ptr info, int level) {
    if (level >= 0) { return; }
    switch (info->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
        jpeg_error_exit(info);
    }
}

// PIL's CMYK to RGB: each channel is (255 - C) * (255 - K) / 255, rounded. Adobe's
// applications (the only common writers of CMYK JPEGs) store the channels inverted,
// and say so with their APP14 marker.
static void cmyk_to_rgb(const unsigned char *cmyk, unsigned char *rgb, size_t width, int inverted) {
    for (size_t x = 0; x < width; x++) {
        const unsigned char *in = cmyk + 4 * x;
        unsigned k = inverted ? in[3] : 255u - in[3];
        for (int c = 0; c < 3; c++) {
            unsigned product = (inverted ? in[c] : 255u - in[c]) * k + 128;
            rgb[3 * x + c] = (unsigned char)((product + (product >> 8)) >> 8);
        }
    }
}

int ck_decode_jpeg(const unsigned char *data, size_t size, size_t max_pixels, ck_image *image, char *error,
                   size_t error_size) {
    struct jpeg_decompress_struct info;
    jpeg_error failure;
    unsigned char *volatile pixels = NULL;
    unsigned char *volatile cmyk_row = NULL;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_error_exit;
    failure.manager.emit_message = jpeg_warning;
    if (setjmp(failure.jump)) {
        set_error(error, error_size, failure.message);
        jpeg_destroy_decompress(&info);
        free(pixels);
        free(cmyk_row);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    if ((size_t)info.image_width * info.image_height > max_pixels) {
        image->width = (int)info.image_width;
        image->height = (int)info.image_height;
        jpeg_destroy_decompress(&info);
        return CK_TOO_MANY_PIXELS;
    }
    // Gray stays gray, YCbCr becomes RGB; CMYK and YCCK are decoded to CMYK and converted here,
    // since libjpeg has no CMYK to RGB conversion.
    int cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    info.out_color_space = info.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&info);
    int channels = cmyk ? 3 : info.output_components;
    size_t row = (size_t)info.output_width * (size_t)channels;
    pixels = malloc(row * info.output_height);
    if (cmyk) { cmyk_row = malloc((size_t)info.output_width * 4); }
    if (!pixels || (cmyk && !cmyk_row)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        free(cmyk_row);
        set_error(error, error_size, "out of memory");
        return 1;
    }
    while (info.output_scanline < info.output_height) {
        unsigned char *line = pixels + row * info.output_scanline;
        if (cmyk) {
            JSAMPROW samples = cmyk_row;
            jpeg_read_scanlines(&info, &samples, 1);
            cmyk_to_rgb(cmyk_row, line, info.output_width, info.saw_Adobe_marker);
        } else {
            jpeg_read_scanlines(&info, &line, 1);
        }
    }
    image->width = (int)info.output_width;
    image->height = (int)info.output_height;
    image->channels = channels;
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    free(cmyk_row);
    image->pixels = pixels;
    return 0;
}

int ck_encode_jpeg(const unsigned char *pixels, int width, int height, int channels, int quality,
                   unsigned char **output, size_t *output_size, char *error, size_t error_size) {
    struct jpeg_compress_struct info;
    jpeg_error failure;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_error_exit;
    failure.manager.emit_message = jpeg_warning;
    if (setjmp(failure.jump)) {
        set_error(error, error_size, failure.message);
        jpeg_destroy_compress(&info);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t row = (size_t)width * (size_t)channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW line = (JSAMPROW)(pixels + row * info.next_scanline);
        jpeg_write_scanlines(&info, &line, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *output = buffer;
    *output_size = size;
    return 0;
}
