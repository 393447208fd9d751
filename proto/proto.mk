PROTO_SRC := proto/crc32.c
