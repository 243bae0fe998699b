/* usymbols.h - symbol tables of user binaries for the module (-d FILE, --ldd).
 *
 *   usymbols_option_d(arg)   -d ARG: a path (with a '/') is a user binary whose function
 *                            symbols go into the module; a bare name is a kernel module,
 *                            whose symbols the running kernel has anyway
 *   usymbols_option_ldd()    --ldd: also the shared libraries those binaries need
 *   usymbols_hash(h)         what the module cache key must cover (the files' identity)
 *   usymbols_emit(e, p)      pass 3: the tables as C (runtime/linux/stp_ustack.h), always
 *                            defining stp_usyms, empty without -d; with source-line
 *                            tables (ulines.h) when program p looks lines up
 */
#ifndef STAP_USYMBOLS_H
#define STAP_USYMBOLS_H

struct emitter;
struct hasher;
struct program;

void usymbols_option_d(const char *arg);
void usymbols_option_ldd(void);
void usymbols_hash(struct hasher *h);
void usymbols_emit(struct emitter *e, const struct program *p);

#endif
