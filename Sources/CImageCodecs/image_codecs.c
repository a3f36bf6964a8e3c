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
int ck_decode_png(const unsigned char *data, size_t size, ck_image *image, char *error, size_t error_size) {
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&png, data, size)) {
        set_error(error, error_size, png.message);
        return 1;
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

// Warnings are silent, except that data ending early is an error: libjpeg would fill
// the rest of a truncated file with gray, where PIL (and the user) expect a failure.
static void jpeg_warning(j_common_ptr info, int level) {
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) { jpeg_error_exit(info); }
}

int ck_decode_jpeg(const unsigned char *data, size_t size, ck_image *image, char *error, size_t error_size) {
    struct jpeg_decompress_struct info;
    jpeg_error failure;
    unsigned char *volatile pixels = NULL;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_error_exit;
    failure.manager.emit_message = jpeg_warning;
    if (setjmp(failure.jump)) {
        set_error(error, error_size, failure.message);
        jpeg_destroy_decompress(&info);
        free(pixels);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    // Gray stays gray; everything else (YCbCr, CMYK via libjpeg-turbo's conversion) becomes RGB.
    info.out_color_space = info.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    int channels = info.output_components;
    size_t row = (size_t)info.output_width * (size_t)channels;
    pixels = malloc(row * info.output_height);
    if (!pixels) {
        jpeg_destroy_decompress(&info);
        set_error(error, error_size, "out of memory");
        return 1;
    }
    while (info.output_scanline < info.output_height) {
        unsigned char *line = pixels + row * info.output_scanline;
        jpeg_read_scanlines(&info, &line, 1);
    }
    image->width = (int)info.output_width;
    image->height = (int)info.output_height;
    image->channels = channels;
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
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
