#!/usr/bin/env python3
"""Writes the kept seed corpora tests/fuzz/corpus/<harness>/: whole sessions and edge cases for
the bootloader harnesses (byte 0 = setup flags, see fuzz_session.h), and small valid and broken
files for the parsers (from build/app-v1.* when built). Frames come from build/protoenc (the
proto codec; make build/protoenc first). Run from the repository root; the output is committed,
so rerun only to change the seeds."""
import os
import struct
import subprocess
import sys
import zlib

APP = 0x08002000
SRAM_TOP = 0x20005000
OUT = "tests/fuzz/corpus"

# setup flags (fuzz_session.h)
F128, FAPP, FGAP = 1, 2, 4


def chunk(n):  # bits 4-7: 0 = byte by byte, else 16 n bytes per delivery
    return (n // 16) << 4


def save(name, fname, data):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def crc(b):
    return zlib.crc32(b) & 0xFFFFFFFF


# ---- native frames ----------------------------------------------------------------------------
INFO, ERASE, WRITE, READ, CRC, COMMIT, RESET, SYNC = range(1, 9)


def frame(t, seq, payload=b""):
    return subprocess.run([os.path.join("build", "protoenc"), "frame", str(t), str(seq & 0xFF)],
                          input=payload, capture_output=True, check=True).stdout


def image(size, seed=1):
    x = seed * 2654435761 + 1
    out = bytearray()
    for _ in range(size):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out.append((x >> 16) & 0xFF)
    out[0:8] = struct.pack("<II", SRAM_TOP, APP + 0x101)
    return bytes(out)


def update(img, seq=0, step=512, reset=True, version=2):
    s = frame(SYNC, seq) + frame(INFO, seq + 1)
    seq += 2
    for off in range(0, len(img), step):
        s += frame(WRITE, seq, struct.pack("<II", APP + off, 0) + img[off:off + step])
        seq += 1
    s += frame(CRC, seq, struct.pack("<II", APP, len(img)))
    s += frame(COMMIT, seq + 1, struct.pack("<III", len(img), crc(img), version))
    if reset:
        s += frame(RESET, seq + 2)
    return s


def native():
    img = image(1024)
    n = "native"
    save(n, "update_reset", bytes([chunk(64)]) + update(img))
    save(n, "update_over_valid_app", bytes([chunk(64) | FAPP]) + update(img, reset=False))
    save(n, "update_128k_bytewise", bytes([F128 | FAPP]) + update(image(600, 3), step=200))
    save(n, "update_seq_wraps", bytes([chunk(240)]) + update(img, seq=250, step=128))
    save(n, "reset_with_valid_app", bytes([FAPP | chunk(16)]) + frame(SYNC, 9) + frame(RESET, 10))
    save(n, "reset_without_app", bytes([chunk(16)]) + frame(SYNC, 0) + frame(RESET, 1))
    save(n, "info_read_crc_boot_pages", bytes([FAPP | chunk(32)]) + frame(SYNC, 0) +
         frame(INFO, 1) + frame(READ, 2, struct.pack("<II", 0x08000000, 1024)) +
         frame(CRC, 3, struct.pack("<II", 0x08000000, 0x10000)) +
         frame(READ, 4, struct.pack("<II", 0x0800FC00, 24)))
    # self-protection: everything below APP or past the end is refused
    attacks = frame(SYNC, 0)
    seq = 1
    for a, ln in [(0x08000000, 1024), (0x08001C00, 0x800), (0x0800FC00, 1024), (0x0800F800, 0x800),
                  (0x08010000, 2), (0xFFFFFC00, 0x800), (APP, 0xFFFFFFFF), (APP, 0)]:
        attacks += frame(ERASE, seq, struct.pack("<II", a, ln))
        seq += 1
    for a, data in [(0x08001FFE, b"\0\0\0\0"), (0x0800FBFE, b"\0\0\0\0"), (APP + 1, b"\0\0"),
                    (APP, b"\0"), (0xFFFFFFFE, b"\0\0\0\0"), (0x0800FC00, b"\0\0")]:
        attacks += frame(WRITE, seq, struct.pack("<II", a, 0) + data)
        seq += 1
    save(n, "out_of_range_erase_write", bytes([FAPP | chunk(64)]) + attacks)
    # commit refusals: bad CRC, size 0, too big, bad vectors
    c = frame(SYNC, 0) + frame(WRITE, 1, struct.pack("<II", APP, 0) + img[:512])
    c += frame(COMMIT, 2, struct.pack("<III", 256, crc(img[:256]) ^ 1, 1))
    c += frame(COMMIT, 3, struct.pack("<III", 0, 0, 1))
    c += frame(COMMIT, 4, struct.pack("<III", 0xE000, 0, 1))
    c += frame(COMMIT, 5, struct.pack("<III", 4, crc(img[:4]), 1))
    c += frame(COMMIT, 6, struct.pack("<III", 512, crc(img[:512]), 7))
    save(n, "commit_refusals_then_ok", bytes([chunk(48)]) + c)
    # rewrite over written data, erase then write, non-erased cell
    w = frame(SYNC, 0) + frame(ERASE, 1, struct.pack("<II", APP, 2048))
    w += frame(WRITE, 2, struct.pack("<II", APP + 1020, 0) + b"\x11" * 8)
    w += frame(WRITE, 3, struct.pack("<II", APP + 1020, 0) + b"\x22" * 8)
    w += frame(WRITE, 4, struct.pack("<II", APP + 1020, 0) + b"\x11" * 8)
    save(n, "write_across_page_and_not_erased", bytes([FAPP | chunk(32)]) + w)
    e = frame(SYNC, 0) + frame(ERASE, 1, struct.pack("<II", 0x0800F800, 0x400))
    e += frame(ERASE, 2, struct.pack("<II", 0x0800FBFF, 1))
    e += frame(WRITE, 3, struct.pack("<II", 0x0800FBFC, 0) + b"\x44" * 4)
    e += frame(ERASE, 4, struct.pack("<II", 0x0801F800, 0x400))
    save(n, "last_app_page_edges", bytes([FAPP | chunk(32)]) + e)
    # sequencing: duplicates, gaps, stale seqs, SYNC anywhere
    q = frame(SYNC, 100) + frame(INFO, 101) + frame(INFO, 101) + frame(INFO, 100)
    q += frame(INFO, 103) + frame(INFO, 104) + frame(INFO, 102) + frame(SYNC, 5) + frame(INFO, 6)
    q += frame(INFO, 5 - 33 & 0xFF)
    save(n, "retransmit_gap_sync", bytes([chunk(16)]) + q)
    # framing: bad CRC, too long, echo of a response, garbage, a frame hidden in a bogus header
    good = frame(INFO, 1)
    bad = bytearray(good)
    bad[-1] ^= 0xFF
    g = frame(SYNC, 0) + bytes(bad) + b"\xa5\x01\x01\xff\xff" + frame(0x80, 1, b"\x00")
    g += b"\x00\x13garbage\xa5" + good + b"\xa5\x01\x01\x10\x00" + good
    save(n, "corrupt_long_echo_garbage", bytes([chunk(16)]) + g)
    save(n, "truncated_frames_with_gaps", bytes([FGAP | chunk(16)]) + frame(SYNC, 0) +
         good[:7] + frame(WRITE, 1, struct.pack("<II", APP, 0) + img[:64])[:40] + good)
    save(n, "unknown_cmd_and_bad_lengths", bytes([chunk(16)]) + frame(SYNC, 0) + frame(0, 1) +
         frame(9, 2) + frame(0x7F, 3) + frame(INFO, 4, b"x") + frame(ERASE, 5, b"1234") +
         frame(WRITE, 6, b"12345678") + frame(READ, 7, struct.pack("<II", APP, 1025)) +
         frame(COMMIT, 8, b"12345678"))
    save(n, "idle_timeout_with_app", bytes([FAPP]) + b"\xa5")
    save(n, "empty", bytes([0]))


# ---- AN3155: the harness puts 0x7F in front ---------------------------------------------------
def x(b):
    r = 0
    for v in b:
        r ^= v
    return r


def cmd(c):
    return bytes([c, c ^ 0xFF])


def addr(a):
    b = struct.pack(">I", a)
    return b + bytes([x(b)])


def an_write(a, data):
    payload = bytes([len(data) - 1]) + data
    return cmd(0x31) + addr(a) + payload + bytes([x(payload)])


def an3155():
    n = "an3155"
    img = image(512, 5)
    save(n, "get_getversion_getid", bytes([chunk(16)]) + cmd(0x00) + cmd(0x01) + cmd(0x02))
    save(n, "read_boot_and_app", bytes([FAPP | chunk(16)]) + cmd(0x11) + addr(0x08000000) +
         cmd(0xFF) + cmd(0x11) + addr(APP) + bytes([15, 15 ^ 0xFF]))
    w = cmd(0x43) + b"\xff\x00"  # global erase
    for off in range(0, len(img), 256):
        w += an_write(APP + off, img[off:off + 256])
    w += cmd(0x21) + addr(APP)
    save(n, "erase_write_go", bytes([chunk(32)]) + w)
    pages = struct.pack(">HHH", 1, 8, 9)
    e = cmd(0x44) + pages + bytes([x(pages)])
    e += cmd(0x43) + bytes([0, 8, 8])  # legacy erase of page 8
    e += cmd(0x43) + b"\xff\x00"  # legacy global erase
    save(n, "erase_pages_legacy_and_ext", bytes([FAPP | chunk(16)]) + e)
    a = an_write(0x08000000, b"\0" * 4) + an_write(0x08001FFC, b"\0" * 8)
    a += an_write(0x0800FFFC, b"\0" * 8) + an_write(APP + 1, b"\0\0")
    p = struct.pack(">HH", 0, 7)
    a += cmd(0x44) + p + bytes([x(p)]) + cmd(0x43) + bytes([1, 3, 63, 3 ^ 63 ^ 1])
    save(n, "out_of_range_write_erase", bytes([FAPP | chunk(16)]) + a)
    edge = an_write(0x0800FBF8, b"\x11" * 8) + an_write(0x0800FC00, b"\x22" * 4)
    edge += an_write(0x0801FC00, b"\x33" * 4) + cmd(0x43) + bytes([1, 62, 63, 62 ^ 63 ^ 1])
    save(n, "last_page_and_record_page_128k", bytes([F128 | FAPP | chunk(16)]) + edge)
    save(n, "bad_checksums", bytes([chunk(16)]) + b"\x00\x00\x11\xee\x08\x00\x00\x00\x00" +
         cmd(0x31) + addr(APP)[:4] + b"\x00" + b"\x01\x00\x00\x00" + cmd(0x63) + cmd(0x73))
    save(n, "go_with_valid_app", bytes([FAPP | chunk(16)]) + cmd(0x21) + addr(APP))
    save(n, "bytewise_write_with_gaps", bytes([FGAP]) + an_write(APP, img[:16]))
    save(n, "resync_7f", bytes([chunk(16)]) + b"\x7f\x7f" + cmd(0x00))


# ---- YMODEM: the harness puts the menu key in front -------------------------------------------
def crc16(b):
    c = 0
    for v in b:
        c ^= v << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else c << 1
            c &= 0xFFFF
    return c


def yblock(num, data, size=128):
    data = data.ljust(size, b"\x1a")
    return bytes([0x01 if size == 128 else 0x02, num & 0xFF, ~num & 0xFF]) + data + \
        struct.pack(">H", crc16(data))


def ymodem():
    n = "ymodem"
    img = image(1500, 7)
    hdr = b"app.bin\x00" + str(len(img)).encode() + b" 0 0\x00"
    s = yblock(0, hdr)
    num = 1
    for off in range(0, len(img), 1024):
        s += yblock(num, img[off:off + 1024], 1024)
        num += 1
    s += b"\x04\x04" + yblock(0, b"")
    save(n, "upload_1500", bytes([chunk(64)]) + s)
    save(n, "upload_over_valid_app", bytes([FAPP | chunk(240)]) + s)
    small = yblock(0, b"a\x00" + b"300\x00") + yblock(1, img[:128]) + yblock(2, img[128:256])
    small += yblock(3, img[256:300]) + b"\x04\x04" + yblock(0, b"")
    save(n, "upload_128_blocks", bytes([chunk(32)]) + small)
    bad = bytearray(yblock(1, img[:128]))
    bad[-1] ^= 1
    save(n, "bad_crc_dup_block_cancel", bytes([FGAP | chunk(64)]) + yblock(0, hdr) + bytes(bad) +
         yblock(1, img[:128]) + yblock(1, img[:128]) + yblock(3, img[:128]) + b"\x18\x18")
    save(n, "too_big_file", bytes([chunk(64)]) + yblock(0, b"big\x00" + b"99999999\x00"))
    save(n, "menu_keys", bytes([FGAP | chunk(16)]) + b"\r1\r2\r3\rq\r\x1b")


# ---- host frame decoder: byte 0 = bytes pushed at a time, then what the device sends --------
def frames():
    n = "frame"
    ok = frame(0x80, 3, b"\x00")
    info = frame(0x80, 1, b"\x00" + bytes(range(64)))
    nak = frame(0x80, 7, b"\xfe\x07")
    bad = bytearray(ok)
    bad[6] ^= 0x10
    save(n, "responses_bytewise", bytes([1]) + ok + info + nak)
    save(n, "garbage_bad_long_hidden", bytes([64]) + b"noise\xa5" + bytes(bad) +
         b"\xa5\x80\x01\xff\xff" + ok + b"\xa5\x80\x02\x10\x00" + nak)
    save(n, "max_read_response", bytes([255]) + frame(0x80, 9, b"\x00" + bytes(1024) * 1) +
         frame(0x80, 10, b"\x00" + b"\xff" * 1024))
    save(n, "echoed_commands", bytes([7]) + frame(SYNC, 0) + frame(WRITE, 1, bytes(16)) + ok)


# ---- host file parsers ------------------------------------------------------------------------
def ihex_rec(t, a, data):
    r = bytes([len(data), a >> 8 & 0xFF, a & 0xFF, t]) + data
    return (":" + r.hex().upper() + "%02X" % (-sum(r) & 0xFF) + "\n").encode()


def srec_rec(t, a, data):
    alen = {0: 2, 1: 2, 2: 3, 3: 4, 5: 2, 6: 3, 7: 4, 8: 3, 9: 2}[t]
    r = bytes([alen + len(data) + 1]) + a.to_bytes(alen, "big") + data
    return ("S%d" % t + r.hex().upper() + "%02X" % (~sum(r) & 0xFF) + "\n").encode()


def formats():
    small = image(64, 9)
    if os.path.exists("build/app-v1.hex"):
        save("ihex", "app-v1.hex", open("build/app-v1.hex", "rb").read())
        save("srec", "app-v1.srec", open("build/app-v1.srec", "rb").read())
        stripped = "build/fuzz/app-v1.stripped.elf"
        os.makedirs("build/fuzz", exist_ok=True)
        subprocess.run(["arm-none-eabi-objcopy", "--strip-all", "build/app-v1.elf", stripped],
                       check=True)
        save("elf", "app-v1.elf", open(stripped, "rb").read())
    h = ihex_rec(4, 0, b"\x08\x00")
    for off in range(0, 64, 16):
        h += ihex_rec(0, 0x2000 + off, small[off:off + 16])
    save("ihex", "small_linear", h + ihex_rec(5, 0, struct.pack(">I", APP + 0x101)) +
         ihex_rec(1, 0, b""))
    save("ihex", "segment_address_crlf", (ihex_rec(2, 0, b"\x08\x00") + ihex_rec(0, 0x2000, small[:8])
         + ihex_rec(3, 0, b"\0\0\0\0") + ihex_rec(1, 0, b"")).replace(b"\n", b"\r\n"))
    save("ihex", "overlap_gap_odd", ihex_rec(4, 0, b"\x08\x00") + ihex_rec(0, 0x2000, small[:9]) +
         ihex_rec(0, 0x2004, small[:4]) + ihex_rec(0, 0x2100, small[:3]) + ihex_rec(1, 0, b""))
    save("ihex", "wrap_4g", ihex_rec(4, 0, b"\xff\xff") + ihex_rec(0, 0xFFF8, small[:16]) +
         ihex_rec(1, 0, b""))
    save("ihex", "truncated_bad_sum", ihex_rec(0, 0, small[:16])[:-4] + b"\n:00000001FE\n")
    s = srec_rec(0, 0, b"fuzz")
    for off in range(0, 64, 16):
        s += srec_rec(3, APP + off, small[off:off + 16])
    save("srec", "small_s3", s + srec_rec(5, 4, b"") + srec_rec(7, APP, b""))
    save("srec", "s1_s2_s6_s8", srec_rec(1, 0x2000, small[:8]) + srec_rec(2, 0x082008, small[:8]) +
         srec_rec(6, 2, b"") + srec_rec(8, 0, b""))
    save("srec", "bad_count_s4_truncated", srec_rec(3, APP, small[:8]) + srec_rec(5, 9, b"") +
         b"S4030000FC\nS3")
    save("srec", "wrap_4g", srec_rec(3, 0xFFFFFFFC, small[:8]) + srec_rec(9, 0, b""))
    # minimal ELF32 ARM: header + program headers + data
    def elf(segs, phentsize=32, phoff=52, machine=40):
        data_off = phoff + phentsize * len(segs)
        ph = b""
        blob = b""
        for t, paddr, d, memsz in segs:
            ph += struct.pack("<IIIIIIII", t, data_off + len(blob), paddr, paddr, len(d),
                              memsz if memsz is not None else len(d), 5, 4).ljust(phentsize, b"\0")
            blob += d
        eh = b"\x7fELF\x01\x01\x01" + b"\0" * 9 + struct.pack(
            "<HHIIIIIHHHHHH", 2, machine, 1, APP + 0x101, phoff, 0, 0x5000000, 52, phentsize,
            len(segs), 40, 0, 0)
        return eh + ph + blob
    save("elf", "one_load", elf([(1, APP, small, None)]))
    save("elf", "two_loads_bss_note", elf([(1, APP, small[:32], None), (4, 0, b"note", None),
                                           (1, APP + 32, small[32:], 0x100), (1, 0x20000000, b"", 64)]))
    save("elf", "big_phentsize", elf([(1, APP, small, None)], phentsize=40))
    save("elf", "overlap_and_filesz_gt_memsz", elf([(1, APP, small, None), (1, APP + 8, small, None),
                                                     (1, APP, small, 4)]))
    save("elf", "wrong_machine_truncated", elf([(1, APP, small, None)], machine=3)[:60])


if __name__ == "__main__":
    which = sys.argv[1:] or ["native", "an3155", "ymodem", "frames", "formats"]
    for w in which:
        globals()[w]()
