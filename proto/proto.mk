PROTO_SRC := proto/crc32.c proto/frame.c
