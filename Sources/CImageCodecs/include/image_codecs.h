#ifndef CONVKIT_IMAGE_CODECS_H
#define CONVKIT_IMAGE_CODECS_H

#include <stddef.h>

// PNG and JPEG through libpng and libjpeg(-turbo). Both libraries report errors with
// longjmp, which must never unwind through Swift frames, so the setjmp/longjmp pairs
// live entirely in these C functions; Swift sees a status and a message.

typedef struct {
    unsigned char *pixels;  // HWC, 8 bits per channel; free with ck_free
    int width;
    int height;
    int channels;           // 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA)
} ck_image;

// Decoding returns 0 on success; CK_TOO_MANY_PIXELS, with only width and height set, when
// the header claims more than max_pixels (checked before any pixel is allocated); otherwise
// 1 with a message in error (error_size bytes).
enum { CK_TOO_MANY_PIXELS = 2 };
int ck_decode_png(const unsigned char *data, size_t size, size_t max_pixels, ck_image *image, char *error,
                  size_t error_size);
int ck_decode_jpeg(const unsigned char *data, size_t size, size_t max_pixels, ck_image *image, char *error,
                   size_t error_size);
// Encoding returns 0 on success, otherwise 1 with a message in error.
int ck_encode_png(const unsigned char *pixels, int width, int height, int channels, unsigned char **output,
                  size_t *output_size, char *error, size_t error_size);
int ck_encode_jpeg(const unsigned char *pixels, int width, int height, int channels, int quality,
                   unsigned char **output, size_t *output_size, char *error, size_t error_size);
void ck_free(void *pointer);

#endif
