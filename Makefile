# Top-level build: the translator (stap), the pass-5 tools (staprun, stapio, stap-vm),
# the test suite and installation. `make` builds everything into build/ and links the
# binaries next to their sources so an in-tree stap finds runtime/ and tapset/.

PREFIX    ?= /usr/local
BINDIR     = $(PREFIX)/bin
LIBEXEC    = $(PREFIX)/libexec/stap
DATADIR    = $(PREFIX)/share/stap
MANDIR     = $(PREFIX)/share/man

CC        ?= gcc
CFLAGS    ?= -O2 -g
WARN       = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare
CFLAGS    += -std=gnu11 $(WARN)
B          = build

DW_CFLAGS := $(shell pkg-config --cflags libdw 2>/dev/null)
DW_LIBS   := $(shell pkg-config --libs libdw 2>/dev/null || echo -ldw -lelf) -lxxhash

TRANSLATOR_SRCS := $(wildcard translator/*.c translator/probes/*.c)
TRANSLATOR_OBJS := $(patsubst translator/%.c,$(B)/translator/%.o,$(TRANSLATOR_SRCS)) \
                   $(B)/translator/parser.o $(B)/translator/lexer.o

STAPRUN_COMMON  := staprun/common.c
STAPRUN_HDRS    := $(wildcard staprun/*.h) runtime/transport_msgs.h

.PHONY: all clean check install deps check-parse tapset-man
all: translator/stap staprun/staprun staprun/stapio

# ---- translator ----
$(B)/translator/parser.c $(B)/translator/parser.h: translator/parser.y
	@mkdir -p $(B)/translator
	bison -d -o $(B)/translator/parser.c translator/parser.y

$(B)/translator/lexer.c $(B)/translator/lexer.h: translator/lexer.l $(B)/translator/parser.h
	@mkdir -p $(B)/translator
	flex --header-file=$(B)/translator/lexer.h -o $(B)/translator/lexer.c translator/lexer.l

$(B)/translator/%.o: $(B)/translator/%.c
	$(CC) $(CFLAGS) -Wno-unused-function -Itranslator -I$(B)/translator -c -o $@ $<

$(B)/translator/%.o: translator/%.c $(wildcard translator/*.h translator/probes/*.h) \
		$(B)/translator/parser.h $(B)/translator/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DW_CFLAGS) -Itranslator -I$(B)/translator -c -o $@ $<

translator/stap: $(TRANSLATOR_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(DW_LIBS)

# ---- pass-5 tools: static, so they can be dropped into a VM ----
staprun/staprun: staprun/staprun.c $(STAPRUN_COMMON) $(STAPRUN_HDRS)
	$(CC) $(CFLAGS) -static -Iruntime -o $@ staprun/staprun.c $(STAPRUN_COMMON)

staprun/stapio: staprun/stapio.c $(STAPRUN_COMMON) $(STAPRUN_HDRS)
	$(CC) $(CFLAGS) -static -Iruntime -o $@ staprun/stapio.c $(STAPRUN_COMMON)

# ---- set-up, tests ----
deps:
	@scripts/install-deps

check: all
	@testsuite/run

check-parse: translator/stap
	@testsuite/run parse

# ---- the tapset reference: function::NAME(3stap), probe::NAME(3stap) from tapset comments ----
MANGEN     = $(B)/man
VERSION   := $(shell sed -n 's/^\#define STAP_VERSION "\([^"]*\)".*/\1/p' translator/version.h)
$(MANGEN)/.stamp: scripts/tapset-man translator/version.h $(shell find tapset -name '*.stp')
	rm -rf $(MANGEN)
	scripts/tapset-man -V $(VERSION) $(MANGEN) tapset
	touch $@
tapset-man: $(MANGEN)/.stamp

# ---- installation ----
install: all tapset-man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(DATADIR)
	install -m 755 translator/stap $(DESTDIR)$(BINDIR)/stap
	install -m 755 staprun/staprun $(DESTDIR)$(BINDIR)/staprun
	install -m 755 staprun/stapio staprun/stap-vm $(DESTDIR)$(LIBEXEC)/
	rm -rf $(DESTDIR)$(DATADIR)/runtime $(DESTDIR)$(DATADIR)/tapset
	cp -r runtime tapset $(DESTDIR)$(DATADIR)/
	for sec in 1 3stap 7stap 8; do \
	  ls doc/*.$$sec >/dev/null 2>&1 || continue; \
	  install -d $(DESTDIR)$(MANDIR)/man$${sec%stap}; \
	  install -m 644 doc/*.$$sec $(DESTDIR)$(MANDIR)/man$${sec%stap}/; \
	done
	install -d $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(MANGEN)/*.3stap $(DESTDIR)$(MANDIR)/man3/
	install -D -m 644 completion/stap $(DESTDIR)$(PREFIX)/share/bash-completion/completions/stap
	ln -sf stap $(DESTDIR)$(PREFIX)/share/bash-completion/completions/staprun
	install -D -m 644 editor/vim/syntax/stap.vim $(DESTDIR)$(PREFIX)/share/vim/vimfiles/syntax/stap.vim
	install -D -m 644 editor/vim/ftdetect/stap.vim $(DESTDIR)$(PREFIX)/share/vim/vimfiles/ftdetect/stap.vim

clean:
	rm -rf $(B) translator/stap staprun/staprun staprun/stapio
