/* The proto codec on the command line, for test scripts that need a frame or a record without
 * writing their own encoder:
 *   protoenc frame TYPE SEQ < PAYLOAD > FRAME   (TYPE, SEQ: numbers, e.g. 0x03 7)
 *   protoenc record IMAGE VERSION > RECORD      (the record fm_commit would write for IMAGE) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static int usage(void)
{
    fputs("usage: protoenc frame TYPE SEQ < PAYLOAD | protoenc record IMAGE VERSION\n", stderr);
    return 1;
}

static int frame(const char *type, const char *seq)
{
    static uint8_t buf[PROTO_MAX_FRAME + 1];
    size_t n = fread(buf + PROTO_HDR_LEN, 1, PROTO_MAX_PAYLOAD + 1, stdin);
    if (n > PROTO_MAX_PAYLOAD) {
        fprintf(stderr, "protoenc: payload longer than %u bytes\n", PROTO_MAX_PAYLOAD);
        return 1;
    }
    size_t len = proto_frame_seal(buf, (uint8_t)strtoul(type, NULL, 0),
                                  (uint8_t)strtoul(seq, NULL, 0), (uint16_t)n);
    return fwrite(buf, 1, len, stdout) == len ? 0 : 1;
}

static int record(const char *path, const char *version)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    static uint8_t img[1u << 20];
    size_t n = fread(img, 1, sizeof img, f);
    fclose(f);
    if (n % 2) /* the host pads an odd image with one erased byte */
        img[n++] = 0xFF;
    struct proto_record r;
    proto_record_make(&r, (uint32_t)n, proto_crc32(0, img, n), (uint32_t)strtoul(version, NULL, 0));
    return fwrite(&r, sizeof r, 1, stdout) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "frame") == 0)
        return frame(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "record") == 0)
        return record(argv[2], argv[3]);
    return usage();
}
