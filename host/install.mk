# make install / make uninstall: iap, libiap (static, shared with its soname links), its header,
# iap.pc, the man page iap(1) and the bash completion.
#   make install PREFIX=/usr DESTDIR=/tmp/pkg      (PREFIX default /usr/local; DESTDIR for packaging)
#   make uninstall PREFIX=... DESTDIR=...           removes exactly those files
# After installing the shared library into a system directory outside DESTDIR, run ldconfig.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL    ?= install

INSTALL_FILES := $(BINDIR)/iap $(LIBDIR)/libiap.a $(LIBDIR)/libiap.so.$(LIBIAP_VERSION) \
                 $(LIBDIR)/$(LIBIAP_SONAME) $(LIBDIR)/libiap.so $(INCLUDEDIR)/iap.h \
                 $(PKGCONFIGDIR)/iap.pc $(MANDIR)/man1/iap.1 $(BASHCOMPDIR)/iap

# The pkg-config file for this PREFIX (the private libraries for --static).
$(BUILD)/lib/iap.pc: host/libiap/iap.pc.in host/install.mk host/lib.mk FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(LIBIAP_VERSION)|' -e 's|@LIBS@|$(HOST_LIBS)|' $< >$@.tmp
	mv $@.tmp $@

.PHONY: install uninstall FORCE
FORCE:

install: $(BUILD)/iap $(BUILD)/lib/libiap.a $(LIBIAP_SO) $(BUILD)/lib/iap.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 755 $(BUILD)/iap $(DESTDIR)$(BINDIR)/iap
	$(INSTALL) -m 644 $(BUILD)/lib/libiap.a $(DESTDIR)$(LIBDIR)/libiap.a
	$(INSTALL) -m 755 $(LIBIAP_SO) $(DESTDIR)$(LIBDIR)/libiap.so.$(LIBIAP_VERSION)
	ln -sf libiap.so.$(LIBIAP_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBIAP_SONAME)
	ln -sf libiap.so.$(LIBIAP_VERSION) $(DESTDIR)$(LIBDIR)/libiap.so
	$(INSTALL) -m 644 host/libiap/iap.h $(DESTDIR)$(INCLUDEDIR)/iap.h
	$(INSTALL) -m 644 $(BUILD)/lib/iap.pc $(DESTDIR)$(PKGCONFIGDIR)/iap.pc
	$(INSTALL) -m 644 docs/iap.1 $(DESTDIR)$(MANDIR)/man1/iap.1
	$(INSTALL) -m 644 host/completion/iap $(DESTDIR)$(BASHCOMPDIR)/iap

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
