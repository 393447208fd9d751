/* File parsers: valid files of every record type, and every malformed case names the file and
 * the line (HEX, S-record) or the byte offset (ELF). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "formats/format.h"
#include "proto.h"
#include "test.h"

static struct image img;
static struct iap_err err;
static char text[4096];

/* Appends an Intel HEX record with its checksum: ihex(type, addr, n, bytes...). */
static void ihex(unsigned type, unsigned addr, unsigned n, ...)
{
    unsigned sum = n + (addr >> 8) + (addr & 0xFF) + type;
    char *p = text + strlen(text);
    p += sprintf(p, ":%02X%04X%02X", n, addr, type);
    va_list ap;
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++) {
        unsigned b = va_arg(ap, unsigned);
        sum += b;
        p += sprintf(p, "%02X", b);
    }
    va_end(ap);
    sprintf(p, "%02X\n", (0x100 - (sum & 0xFF)) & 0xFF);
}

/* Appends an S-record: srec(type, addr_bytes, addr, n, bytes...). */
static void srec(unsigned type, unsigned alen, unsigned addr, unsigned n, ...)
{
    unsigned count = alen + n + 1, sum = count;
    char *p = text + strlen(text);
    p += sprintf(p, "S%u%02X", type, count);
    for (unsigned i = alen; i-- > 0;) {
        unsigned b = (addr >> (8 * i)) & 0xFF;
        sum += b;
        p += sprintf(p, "%02X", b);
    }
    va_list ap;
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++) {
        unsigned b = va_arg(ap, unsigned);
        sum += b;
        p += sprintf(p, "%02X", b);
    }
    va_end(ap);
    sprintf(p, "%02X\n", ~sum & 0xFF);
}

static int load(const struct iap_format *f, const char *path)
{
    image_free(&img);
    image_init(&img);
    memset(&err, 0, sizeof err);
    return f->load(path, (const uint8_t *)text, strlen(text), 0x08002000u, &img, &err);
}

#define CHECK_MSG(s) CHECK(strstr(err.msg, s) != NULL)

/* ---- Intel HEX ------------------------------------------------------------------------------- */

TEST(hex_with_linear_address_loads_at_0x08002000)
{
    text[0] = 0;
    ihex(4, 0, 2, 0x08, 0x00);
    ihex(0, 0x2000, 4, 1, 2, 3, 4);
    ihex(0, 0x2004, 2, 5, 6);
    ihex(5, 0, 4, 0x08, 0x00, 0x21, 0x01);
    strcat(text, ":00000001FF\n");
    CHECK_EQ(load(&iap_format_ihex, "a.hex"), 0);
    CHECK_EQ(img.nseg, 1);
    CHECK_EQ(image_start(&img), 0x08002000u);
    CHECK_EQ(img.seg[0].len, 6);
    CHECK_EQ(img.seg[0].data[5], 6);
}

TEST(hex_segment_address_record_shifts_by_four)
{
    text[0] = 0;
    ihex(2, 0, 2, 0x10, 0x00);
    ihex(3, 0, 4, 0, 0, 0, 0);
    ihex(0, 0x0010, 1, 0xAA);
    ihex(1, 0, 0);
    CHECK_EQ(load(&iap_format_ihex, "a.hex"), 0);
    CHECK_EQ(image_start(&img), 0x10010u);
}

TEST(hex_accepts_crlf_and_blank_lines_and_ignores_what_follows_eof)
{
    strcpy(text, ":020000040800F2\r\n\r\n:0420000001020304D2\r\n:00000001FF\r\ngarbage\n");
    CHECK_EQ(load(&iap_format_ihex, "a.hex"), 0);
    CHECK_EQ(image_bytes(&img), 4);
}

TEST(hex_bad_checksum_names_file_and_line)
{
    strcpy(text, ":020000040800F2\n:0420000001020304D3\n:00000001FF\n");
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:2: bad checksum 0xD3 (expected 0xD2)");
}

TEST(hex_bad_digit_names_line_and_column)
{
    strcpy(text, ":020000040800F2\n\n:04200000010G0304D2\n:00000001FF\n");
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:3: bad hex digit at column 13");
}

TEST(hex_line_without_colon_is_refused)
{
    strcpy(text, "020000040800F2\n");
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:1: record does not start with ':'");
}

TEST(hex_byte_count_not_matching_the_record_is_refused)
{
    strcpy(text, ":0520000001020304D1\n");
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:1: byte count 5");
}

TEST(hex_short_or_odd_record_is_refused)
{
    strcpy(text, ":00000001F\n");
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:1:");
}

TEST(hex_unknown_record_type_is_refused)
{
    text[0] = 0;
    ihex(6, 0, 0);
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:1: unknown record type 06");
}

TEST(hex_address_record_with_wrong_length_is_refused)
{
    text[0] = 0;
    ihex(4, 0, 1, 0x08);
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:1: address record");
}

TEST(hex_without_eof_record_is_truncated)
{
    text[0] = 0;
    ihex(4, 0, 2, 0x08, 0x00);
    ihex(0, 0x2000, 2, 1, 2);
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:2: no end-of-file record");
    CHECK_MSG("truncated");
}

TEST(hex_overlapping_records_name_the_line)
{
    text[0] = 0;
    ihex(0, 0x2000, 4, 1, 2, 3, 4);
    ihex(0, 0x2002, 2, 9, 9);
    ihex(1, 0, 0);
    CHECK_EQ(load(&iap_format_ihex, "app.hex"), IAP_ERR_FORMAT);
    CHECK_MSG("app.hex:2: data at 0x00002002 overlaps");
}

/* ---- S-record -------------------------------------------------------------------------------- */

TEST(srec_with_header_s3_count_and_s7_loads)
{
    strcpy(text, "S00600004844521B\n");
    srec(3, 4, 0x08002000u, 4, 1, 2, 3, 4);
    srec(3, 4, 0x08002004u, 2, 5, 6);
    srec(5, 2, 2, 0);
    srec(7, 4, 0x08002000u, 0);
    CHECK_EQ(load(&iap_format_srec, "a.srec"), 0);
    CHECK_EQ(image_start(&img), 0x08002000u);
    CHECK_EQ(image_bytes(&img), 6);
}

TEST(srec_s1_and_s2_addresses_with_s9_and_s8)
{
    text[0] = 0;
    srec(1, 2, 0x1234, 2, 0xAB, 0xCD);
    srec(9, 2, 0x1234, 0);
    CHECK_EQ(load(&iap_format_srec, "a.s19"), 0);
    CHECK_EQ(image_start(&img), 0x1234);
    text[0] = 0;
    srec(2, 3, 0x012345, 1, 0xEE);
    srec(8, 3, 0, 0);
    CHECK_EQ(load(&iap_format_srec, "a.s28"), 0);
    CHECK_EQ(image_start(&img), 0x012345);
}

TEST(srec_bad_checksum_names_file_and_line)
{
    strcpy(text, "S00600004844521B\nS3090800200001020304C5\nS70508002000D2\n");
    CHECK_EQ(load(&iap_format_srec, "app.srec"), IAP_ERR_FORMAT);
    CHECK_MSG("app.srec:2: bad checksum 0xC5 (expected 0xC4)");
}

TEST(srec_bad_digit_names_line_and_column)
{
    /* the first digit of a pair and the second: columns count from 1 at the 'S' */
    strcpy(text, "S1130000X0\n");
    CHECK_EQ(load(&iap_format_srec, "app.s19"), IAP_ERR_FORMAT);
    CHECK_MSG("app.s19:1: bad hex digit at column 9");
    strcpy(text, "S1130000000X\n");
    CHECK_EQ(load(&iap_format_srec, "app.s19"), IAP_ERR_FORMAT);
    CHECK_MSG("app.s19:1: bad hex digit at column 12");
}

TEST(srec_s4_is_refused)
{
    text[0] = 0;
    srec(4, 2, 0, 0);
    CHECK_EQ(load(&iap_format_srec, "app.srec"), IAP_ERR_FORMAT);
    CHECK_MSG("app.srec:1: S4");
}

TEST(srec_line_not_starting_with_s_is_refused)
{
    strcpy(text, "S00600004844521B\nX3090800200001020304C4\n");
    CHECK_EQ(load(&iap_format_srec, "app.srec"), IAP_ERR_FORMAT);
    CHECK_MSG("app.srec:2: record does not start with S0..S9");
}

TEST(srec_count_record_detects_missing_lines)
{
    text[0] = 0;
    srec(3, 4, 0x08002000u, 2, 1, 2);
    srec(5, 2, 3, 0);
    srec(7, 4, 0, 0);
    CHECK_EQ(load(&iap_format_srec, "app.srec"), IAP_ERR_FORMAT);
    CHECK_MSG("app.srec:2: count record says 3 data records, the file has 1");
}

TEST(srec_byte_count_not_matching_is_refused)
{
    strcpy(text, "S3080800200001020304C4\n");
    CHECK_EQ(load(&iap_format_srec, "app.srec"), IAP_ERR_FORMAT);
    CHECK_MSG("app.srec:1: byte count 8");
}

TEST(srec_without_termination_is_truncated)
{
    text[0] = 0;
    srec(3, 4, 0x08002000u, 2, 1, 2);
    CHECK_EQ(load(&iap_format_srec, "app.srec"), IAP_ERR_FORMAT);
    CHECK_MSG("app.srec:1: no termination record");
}

/* ---- ELF ------------------------------------------------------------------------------------- */

static uint8_t elf[512];

/* An ARM executable: .text at 0x08002000 (8 bytes), .data with VMA in RAM and LMA after .text
 * (4 bytes), .bss (memsz only). */
static size_t make_elf(void)
{
    memset(elf, 0, sizeof elf);
    memcpy(elf, "\x7f" "ELF", 4);
    elf[4] = 1;
    elf[5] = 1;
    elf[6] = 1;
    proto_put16(elf + 16, 2);   /* ET_EXEC */
    proto_put16(elf + 18, 40);  /* EM_ARM */
    proto_put32(elf + 24, 0x08002101u);
    proto_put32(elf + 28, 52);  /* e_phoff */
    proto_put16(elf + 40, 52);
    proto_put16(elf + 42, 32);
    proto_put16(elf + 44, 3);
    static const uint32_t ph[3][8] = {
        {1, 0x100, 0x08002000u, 0x08002000u, 8, 8, 5, 4},
        {1, 0x108, 0x20000000u, 0x08002008u, 4, 4, 6, 4},
        {1, 0x10C, 0x20000004u, 0x20000004u, 0, 64, 6, 4},
    };
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 8; k++)
            proto_put32(elf + 52 + 32 * i + 4 * k, ph[i][k]);
    for (int i = 0; i < 12; i++)
        elf[0x100 + i] = (uint8_t)(0xA0 + i);
    return 0x10C;
}

static int load_elf(size_t len)
{
    image_free(&img);
    image_init(&img);
    memset(&err, 0, sizeof err);
    return iap_format_elf.load("app.elf", elf, len, 0, &img, &err);
}

TEST(elf_loads_pt_load_segments_at_their_physical_address)
{
    size_t n = make_elf();
    CHECK_EQ(load_elf(n), 0);
    CHECK_EQ(img.nseg, 1); /* .data's LMA follows .text: one segment */
    CHECK_EQ(image_start(&img), 0x08002000u);
    CHECK_EQ(image_bytes(&img), 12);
    CHECK_EQ(img.seg[0].data[8], 0xA8);
}

TEST(elf_64_bit_is_refused_at_offset_4)
{
    size_t n = make_elf();
    elf[4] = 2;
    CHECK_EQ(load_elf(n), IAP_ERR_FORMAT);
    CHECK_MSG("app.elf: offset 0x4:");
}

TEST(elf_big_endian_is_refused_at_offset_5)
{
    size_t n = make_elf();
    elf[5] = 2;
    CHECK_EQ(load_elf(n), IAP_ERR_FORMAT);
    CHECK_MSG("app.elf: offset 0x5:");
}

TEST(elf_for_another_machine_is_refused_at_offset_0x12)
{
    size_t n = make_elf();
    proto_put16(elf + 18, 62);
    CHECK_EQ(load_elf(n), IAP_ERR_FORMAT);
    CHECK_MSG("app.elf: offset 0x12: ELF machine 62");
}

TEST(elf_truncated_inside_a_segment_names_its_header)
{
    size_t n = make_elf();
    CHECK_EQ(load_elf(n - 2), IAP_ERR_FORMAT);
    CHECK_MSG("app.elf: offset 0x58: segment 1");
    CHECK_MSG("truncated");
}

TEST(elf_truncated_header_is_refused)
{
    make_elf();
    CHECK_EQ(load_elf(40), IAP_ERR_FORMAT);
    CHECK_MSG("offset 0x28");
}

TEST(elf_without_program_headers_is_an_object_file)
{
    size_t n = make_elf();
    proto_put16(elf + 44, 0);
    CHECK_EQ(load_elf(n), IAP_ERR_FORMAT);
    CHECK_MSG("no program headers");
}

TEST(elf_program_headers_past_the_end_are_refused)
{
    size_t n = make_elf();
    proto_put32(elf + 28, 0x400);
    CHECK_EQ(load_elf(n), IAP_ERR_FORMAT);
    CHECK_MSG("offset 0x1c");
}

TEST(elf_filesz_larger_than_memsz_is_refused)
{
    size_t n = make_elf();
    proto_put32(elf + 52 + 20, 4);
    CHECK_EQ(load_elf(n), IAP_ERR_FORMAT);
    CHECK_MSG("offset 0x44: segment 0 has p_filesz");
}

TEST(elf_without_loadable_data_is_refused)
{
    size_t n = make_elf();
    for (int i = 0; i < 3; i++)
        proto_put32(elf + 52 + 32 * i, 0);
    CHECK_EQ(load_elf(n), IAP_ERR_FORMAT);
    CHECK_MSG("no PT_LOAD segment");
}

/* ---- raw binary and format choice ------------------------------------------------------------ */

TEST(bin_loads_at_the_given_address)
{
    strcpy(text, "abcd");
    CHECK_EQ(load(&iap_format_bin, "a.bin"), 0);
    CHECK_EQ(image_start(&img), 0x08002000u);
    CHECK_EQ(image_bytes(&img), 4);
}

TEST(empty_bin_is_refused)
{
    text[0] = 0;
    CHECK_EQ(load(&iap_format_bin, "a.bin"), IAP_ERR_FORMAT);
    CHECK_MSG("a.bin is empty");
}

TEST(format_comes_from_the_extension)
{
    CHECK(format_detect("x/app.HEX", (const uint8_t *)"", 0) == &iap_format_ihex);
    CHECK(format_detect("app.s19", (const uint8_t *)"", 0) == &iap_format_srec);
    CHECK(format_detect("app.elf", (const uint8_t *)"", 0) == &iap_format_elf);
    CHECK(format_detect("app.bin", (const uint8_t *)"", 0) == &iap_format_bin);
}

TEST(format_comes_from_the_content_without_a_known_extension)
{
    make_elf();
    CHECK(format_detect("firmware", elf, 64) == &iap_format_elf);
    CHECK(format_detect("fw.v2", (const uint8_t *)"\n:020000040800F2\n", 17) == &iap_format_ihex);
    CHECK(format_detect("fw", (const uint8_t *)"S00600004844521B\n", 17) == &iap_format_srec);
    CHECK(format_detect("fw.dat", (const uint8_t *)"\x01\x02\x03", 3) == NULL);
}

static const char *tmpfile_with(const char *name, const void *data, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/iap_test_%d_%s", (int)getpid(), name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
    return path;
}

TEST(unrecognisable_file_asks_for_format)
{
    const char *p = tmpfile_with("fw.dat", "\x01\x02\x03\x04", 4);
    image_init(&img);
    CHECK_EQ(format_load_file(p, NULL, 0x08002000u, &img, NULL, &err), IAP_ERR_FORMAT);
    CHECK_MSG("pass --format bin, hex, srec or elf");
    const struct iap_format *used = NULL;
    CHECK_EQ(format_load_file(p, "bin", 0x08002000u, &img, &used, &err), 0);
    CHECK(used == &iap_format_bin);
    unlink(p);
    image_free(&img);
}

TEST(unknown_format_name_is_a_usage_error)
{
    image_init(&img);
    CHECK_EQ(format_load_file("whatever", "coff", 0, &img, NULL, &err), IAP_ERR_USAGE);
    CHECK_MSG("unknown format 'coff'");
}

TEST(missing_file_is_a_file_error)
{
    image_init(&img);
    CHECK_EQ(format_load_file("/nonexistent/app.hex", NULL, 0, &img, NULL, &err), IAP_ERR_FILE);
    CHECK_MSG("/nonexistent/app.hex");
}

TEST(an_empty_file_is_refused_without_a_line_number)
{
    FILE *f = fopen("/tmp/iap-test-empty.hex", "wb");
    CHECK(f != NULL);
    fclose(f);
    image_init(&img);
    CHECK_EQ(format_load_file("/tmp/iap-test-empty.hex", NULL, 0x08002000u, &img, NULL, &err),
             IAP_ERR_FORMAT);
    CHECK(strstr(err.msg, "iap-test-empty.hex is empty") != NULL);
    CHECK(strstr(err.msg, ":0:") == NULL);
    remove("/tmp/iap-test-empty.hex");
}

TEST(a_directory_is_refused_with_the_reason)
{
    image_init(&img);
    CHECK_EQ(format_load_file("/tmp", NULL, 0x08002000u, &img, NULL, &err), IAP_ERR_FILE);
    CHECK(strstr(err.msg, "cannot read /tmp: Is a directory") != NULL);
}

int main(void)
{
    image_init(&img);
    RUN(hex_with_linear_address_loads_at_0x08002000);
    RUN(hex_segment_address_record_shifts_by_four);
    RUN(hex_accepts_crlf_and_blank_lines_and_ignores_what_follows_eof);
    RUN(hex_bad_checksum_names_file_and_line);
    RUN(hex_bad_digit_names_line_and_column);
    RUN(hex_line_without_colon_is_refused);
    RUN(hex_byte_count_not_matching_the_record_is_refused);
    RUN(hex_short_or_odd_record_is_refused);
    RUN(hex_unknown_record_type_is_refused);
    RUN(hex_address_record_with_wrong_length_is_refused);
    RUN(hex_without_eof_record_is_truncated);
    RUN(hex_overlapping_records_name_the_line);
    RUN(srec_with_header_s3_count_and_s7_loads);
    RUN(srec_s1_and_s2_addresses_with_s9_and_s8);
    RUN(srec_bad_checksum_names_file_and_line);
    RUN(srec_bad_digit_names_line_and_column);
    RUN(srec_s4_is_refused);
    RUN(srec_line_not_starting_with_s_is_refused);
    RUN(srec_count_record_detects_missing_lines);
    RUN(srec_byte_count_not_matching_is_refused);
    RUN(srec_without_termination_is_truncated);
    RUN(elf_loads_pt_load_segments_at_their_physical_address);
    RUN(elf_64_bit_is_refused_at_offset_4);
    RUN(elf_big_endian_is_refused_at_offset_5);
    RUN(elf_for_another_machine_is_refused_at_offset_0x12);
    RUN(elf_truncated_inside_a_segment_names_its_header);
    RUN(elf_truncated_header_is_refused);
    RUN(elf_without_program_headers_is_an_object_file);
    RUN(elf_program_headers_past_the_end_are_refused);
    RUN(elf_filesz_larger_than_memsz_is_refused);
    RUN(elf_without_loadable_data_is_refused);
    RUN(bin_loads_at_the_given_address);
    RUN(empty_bin_is_refused);
    RUN(format_comes_from_the_extension);
    RUN(format_comes_from_the_content_without_a_known_extension);
    RUN(unrecognisable_file_asks_for_format);
    RUN(unknown_format_name_is_a_usage_error);
    RUN(missing_file_is_a_file_error);
    image_free(&img);
    RUN(an_empty_file_is_refused_without_a_line_number);
    RUN(a_directory_is_refused_with_the_reason);
    return test_summary();
}
