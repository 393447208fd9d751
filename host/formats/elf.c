/* ELF32 little-endian ARM executables: the PT_LOAD segments with file data, each placed at its
 * physical (load) address p_paddr, which is where initialised data lives in flash too. Errors name
 * the byte offset of the offending field. */
#include "format.h"
#include "proto.h"

#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define EM_ARM 40
#define PT_LOAD 1
#define EHDR_SIZE 52
#define PHDR_SIZE 32

static bool elf_sniff(const uint8_t *buf, size_t len)
{
    return len >= 4 && buf[0] == 0x7F && buf[1] == 'E' && buf[2] == 'L' && buf[3] == 'F';
}

static int elf_load(const char *path, const uint8_t *buf, size_t len, uint32_t base_unused,
                    struct image *img, struct iap_err *err)
{
    (void)base_unused;
    if (!elf_sniff(buf, len))
        return iap_fail(err, IAP_ERR_FORMAT, "%s: offset 0x0: not an ELF file (no \\x7fELF magic)",
                        path);
    if (len < EHDR_SIZE)
        return iap_fail(err, IAP_ERR_FORMAT,
                        "%s: offset 0x%zx: file ends inside the %u-byte ELF header", path, len,
                        EHDR_SIZE);
    if (buf[EI_CLASS] != ELFCLASS32)
        return iap_fail(err, IAP_ERR_FORMAT,
                        "%s: offset 0x4: ELF class %u, not 32-bit: build for Cortex-M (ARM)",
                        path, buf[EI_CLASS]);
    if (buf[EI_DATA] != ELFDATA2LSB)
        return iap_fail(err, IAP_ERR_FORMAT, "%s: offset 0x5: ELF data encoding %u, not little-endian",
                        path, buf[EI_DATA]);
    uint16_t machine = proto_get16(buf + 18);
    if (machine != EM_ARM)
        return iap_fail(err, IAP_ERR_FORMAT,
                        "%s: offset 0x12: ELF machine %u, not ARM (40): wrong compiler?", path,
                        machine);
    uint32_t phoff = proto_get32(buf + 28);
    uint16_t phentsize = proto_get16(buf + 42), phnum = proto_get16(buf + 44);
    if (phnum == 0)
        return iap_fail(err, IAP_ERR_FORMAT,
                        "%s: offset 0x2c: no program headers (an object file? flash the linked "
                        "executable)",
                        path);
    if (phentsize < PHDR_SIZE)
        return iap_fail(err, IAP_ERR_FORMAT, "%s: offset 0x2a: program header size %u < %u", path,
                        phentsize, PHDR_SIZE);
    if ((uint64_t)phoff + (uint64_t)phnum * phentsize > len)
        return iap_fail(err, IAP_ERR_FORMAT,
                        "%s: offset 0x1c: program headers at 0x%x run past the end of the file "
                        "(%zu bytes): truncated?",
                        path, phoff, len);
    unsigned loaded = 0;
    for (unsigned i = 0; i < phnum; i++) {
        size_t ph = (size_t)phoff + (size_t)i * phentsize;
        uint32_t type = proto_get32(buf + ph), offset = proto_get32(buf + ph + 4);
        uint32_t paddr = proto_get32(buf + ph + 12), filesz = proto_get32(buf + ph + 16);
        uint32_t memsz = proto_get32(buf + ph + 20);
        if (type != PT_LOAD || filesz == 0)
            continue;
        if (filesz > memsz)
            return iap_fail(err, IAP_ERR_FORMAT,
                            "%s: offset 0x%zx: segment %u has p_filesz 0x%x > p_memsz 0x%x", path,
                            ph + 16, i, filesz, memsz);
        if ((uint64_t)offset + filesz > len)
            return iap_fail(err, IAP_ERR_FORMAT,
                            "%s: offset 0x%zx: segment %u data 0x%x+0x%x runs past the end of "
                            "the file (%zu bytes): truncated?",
                            path, ph + 4, i, offset, filesz, len);
        struct iap_err e;
        int rc = image_add(img, paddr, buf + offset, filesz, &e);
        if (rc)
            return iap_fail(err, rc, "%s: offset 0x%zx: segment %u: %s", path, ph + 12, i, e.msg);
        loaded++;
    }
    if (!loaded)
        return iap_fail(err, IAP_ERR_FORMAT, "%s: offset 0x%x: no PT_LOAD segment with data", path,
                        phoff);
    return 0;
}

const struct iap_format iap_format_elf = {
    .name = "elf",
    .extensions = ".elf .axf .out",
    .sniff = elf_sniff,
    .load = elf_load,
};
