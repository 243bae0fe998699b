/* staprun.c - loads a probe module and hands the session to stapio; removes modules.
 *
 * staprun [options] MODULE [name=value ...]    load, run, unload (see doc/staprun.8)
 * staprun -L MODULE / -A NAME / -d NAME          load and detach / attach / remove
 *
 * Privileges. staprun may be installed setuid root. It then runs with the invoking user's
 * effective uid (the saved uid keeps root) and raises it only to mount debugfs, to load
 * or remove a module and to open the module's debugfs files. Who may do what:
 *   root            anything;
 *   group stapdev   load any module file, attach to / remove any probe module;
 *   group stapusr   load only root-owned, not group/other-writable modules directly
 *                   inside /lib/modules/RELEASE/systemtap/ (whose directories are root's
 *                   and not group/other-writable either); attach to / remove only the
 *                   probe modules it loaded itself (the _stp_uid module parameter);
 *   anybody else    nothing.
 * The module file is opened and read as the invoking user and loaded from that open file
 * (or from the copy in memory for -R), so what was checked is what is loaded. Module
 * parameters with the reserved "_stp_" prefix are refused on the command line.
 *
 * After loading, staprun opens the module's control channel and output buffer, drops
 * every privilege for good and execs stapio with those descriptors (-F), so the session
 * keeps this process's pid: a signal sent to it reaches the session exactly once. stapio
 * runs as the user, opens -o files as the user, and at the end runs "staprun -d NAME" to
 * remove the module (allowed, as the user loaded it).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common.h"
#include "transport_msgs.h"

/* ------------------------------------------------------------------ options */

static struct {
	int warnings_off, load_only, attach, delete, daemon, rename;
	const char *outfile, *cmd, *target, *switch_spec, *timeout, *color, *bufsize;
	long bufsize_mb;
} opt;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: staprun [OPTIONS] MODULE [NAME=VALUE ...]\n"
		"       staprun [-v] -L MODULE [NAME=VALUE ...]    load, start, detach\n"
		"       staprun [-v] -A NAME                       attach to a detached module\n"
		"       staprun [-v] -d NAME|'*'                    remove module(s)\n"
		"MODULE is a path to a .ko file, or a name looked up as\n"
		"/lib/modules/RELEASE/systemtap/NAME.ko. NAME=VALUE sets module parameters.\n"
		"Options:\n"
		"  -v             more verbose (repeatable; also SYSTEMTAP_VERBOSE=N)\n"
		"  -V, --version  print the version and exit\n"
		"  -w             suppress warnings\n"
		"  -o FILE        write the output to FILE (strftime(3) %%-formats expanded)\n"
		"  -S SIZE[,N]    with -o: switch to FILE.0, FILE.1, ... after SIZE MB each,\n"
		"                 keeping at most N files\n"
		"  -D             run in the background (needs -o); prints the daemon's pid\n"
		"  -c CMD         run CMD (with /bin/sh) once the probes are started, target() is\n"
		"                 its pid; the script stops when CMD exits\n"
		"  -x PID         set target() to PID\n"
		"  -b MB          output buffer size in MB (1-%d)\n"
		"  -T MS          longest wait between output buffer reads, in ms (default 200)\n"
		"  -L             load the module, start it and leave it running detached\n"
		"  -A             attach to a module loaded with -L\n"
		"  -d             remove a module ('*': every unused probe module you may remove)\n"
		"  -R             load under a new unique name (several copies may run)\n"
		"  -C WHEN        color ERROR/WARNING: auto (default), never, always\n"
		"  -u, -N PID, -r N:URI   accepted for compatibility, no effect here\n"
		"  -h, --help     show this help\n"
		"Signals: SIGINT/SIGTERM/SIGHUP end the script (end probes run, all output is\n"
		"delivered); a second SIGINT stops waiting; SIGQUIT detaches; SIGUSR2 switches\n"
		"to the next -o file.\n",
		STP_BUFSIZE_MAX_MB);
}

/* ------------------------------------------------------------------ privileges */

static uid_t ruid;
static gid_t rgid;
static int setuid_mode;         /* effective root, real user: installed setuid */

static void priv_init(void)
{
	ruid = getuid();
	rgid = getgid();
	setuid_mode = geteuid() == 0 && ruid != 0;
	if (setuid_mode && seteuid(ruid) != 0) {
		err("cannot drop privileges: %s", strerror(errno));
		exit(1);
	}
}

static void priv_raise(void)
{
	if (setuid_mode && seteuid(0) != 0) {
		err("cannot regain privileges: %s", strerror(errno));
		exit(1);
	}
}

static void priv_lower(void)
{
	if (setuid_mode && seteuid(ruid) != 0) {
		err("cannot drop privileges: %s", strerror(errno));
		_exit(1);
	}
}

/* For good: real, effective and saved ids all the user's. */
static int priv_drop(void)
{
	if (setresgid(rgid, rgid, rgid) != 0 || setresuid(ruid, ruid, ruid) != 0)
		return -1;
	if (ruid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -1;
	return 0;
}

enum level { LEVEL_NONE, LEVEL_USR, LEVEL_DEV, LEVEL_ROOT };
static enum level level;

/* The gid of a group in /etc/group, or -1. (Parsed here: a static binary has no NSS.) */
static long group_gid(const char *name)
{
	FILE *f = fopen("/etc/group", "re");
	char line[4096];
	long gid = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *save, *g = strtok_r(line, ":", &save);
		if (!g || strcmp(g, name) != 0)
			continue;
		char *pw = strtok_r(NULL, ":", &save);
		char *id = pw ? strtok_r(NULL, ":\n", &save) : NULL;
		long v;
		if (id && parse_long(id, 0, INT_MAX, &v) == 0)
			gid = v;
		break;
	}
	fclose(f);
	return gid;
}

/* Whether the process has gid among its real, effective or supplementary groups. */
static int has_group(long gid)
{
	gid_t *groups;
	int n, found = 0;

	if (gid < 0)
		return 0;
	if ((gid_t)gid == rgid || (gid_t)gid == getegid())
		return 1;
	n = getgroups(0, NULL);
	if (n <= 0 || !(groups = calloc((size_t)n, sizeof(*groups))))
		return 0;
	n = getgroups(n, groups);
	for (int i = 0; i < n && !found; i++)
		found = groups[i] == (gid_t)gid;
	free(groups);
	return found;
}

static void find_level(void)
{
	if (ruid == 0)
		level = LEVEL_ROOT;
	else if (has_group(group_gid("stapdev")))
		level = LEVEL_DEV;
	else if (has_group(group_gid("stapusr")))
		level = LEVEL_USR;
	else
		level = LEVEL_NONE;
	dbug(2, "uid %d, %s%s", (int)ruid,
	     level == LEVEL_ROOT ? "root" : level == LEVEL_DEV ? "group stapdev" :
	     level == LEVEL_USR ? "group stapusr" : "no probe privileges",
	     setuid_mode ? ", setuid" : "");
}

static const char *release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u) != 0)
		strcpy(u.release, "unknown");
	return u.release;
}

static void module_dir(char *buf, size_t size)
{
	snprintf(buf, size, "/lib/modules/%s/systemtap", release());
}

/* The owner recorded by staprun when the module was loaded; -1 if the module is not a
 * probe module (or not loaded). */
static long module_owner(const char *name)
{
	char path[256], buf[32];
	long uid = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", name, STP_PARAM_UID);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (parse_long(buf, 0, UINT_MAX, &v) == 0)
			uid = v;
	}
	fclose(f);
	return uid;
}

static int module_loaded(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

/* May the user attach to / remove this loaded module? Reports why not. */
static int may_control(const char *name, const char *what)
{
	long owner;

	if (level == LEVEL_ROOT)
		return 1;
	owner = module_owner(name);
	if (owner < 0) {
		err("Couldn't %s module '%s': %s", what, name, module_loaded(name) ?
		    "it is not a probe module (only root may do that)" : "it is not loaded");
		return 0;
	}
	if (level == LEVEL_DEV || owner == (long)ruid)
		return 1;
	err("Couldn't %s module '%s': it was loaded by uid %ld; members of group stapusr may "
	    "only %s their own modules", what, name, owner, what);
	return 0;
}

static void no_privileges(void)
{
	err("You are trying to run probe modules as an unprivileged user. You need to be root, "
	    "or a member of group \"stapdev\" (any module) or of group \"stapusr\" (modules "
	    "installed in /lib/modules/%s/systemtap/).", release());
}

/* ------------------------------------------------------------------ the module file */

struct modfile {
	const char *path;               /* as given (for messages) */
	int fd;
	char *data;
	size_t size;
	char name[64];                  /* the name the kernel will give it */
	size_t name_off;                /* offset of struct module's name in data */
	size_t modinfo_name_off;        /* offset of the .modinfo "name=" entry, or 0 */
	char vermagic[128];
};

static int check_trusted_dir(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s", dir);
	for (;;) {
		if (stat(path, &st) != 0) {
			err("Couldn't check '%s': %s", path, strerror(errno));
			return -1;
		}
		/* A sticky directory (like a initramfs's "/") is fine: only root may replace
		 * the root-owned entry below it. */
		if (st.st_uid != 0 ||
		    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
			err("'%s' must be owned by root and not writable by group or others", path);
			return -1;
		}
		char *slash = strrchr(path, '/');
		if (!slash || slash == path) {
			if (strcmp(path, "/") == 0)
				return 0;
			strcpy(path, "/");
			continue;
		}
		*slash = '\0';
	}
}

/* stapusr: the opened file must be a root-owned, not group/other-writable regular file
 * directly inside the (trusted) systemtap module directory. */
static int check_usr_module(struct modfile *m, const struct stat *st)
{
	char dir[PATH_MAX], real_dir[PATH_MAX], fdpath[64], real[PATH_MAX];
	ssize_t n;

	module_dir(dir, sizeof(dir));
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", m->fd);
	n = readlink(fdpath, real, sizeof(real) - 1);
	if (n <= 0 || !realpath(dir, real_dir)) {
		err("Members of group \"stapusr\" may only run modules in %s/ (which does not "
		    "exist)", dir);
		return -1;
	}
	real[n] = '\0';
	char *slash = strrchr(real, '/');
	if (!slash || (size_t)(slash - real) != strlen(real_dir) ||
	    strncmp(real, real_dir, strlen(real_dir)) != 0) {
		err("Members of group \"stapusr\" may only run modules in %s/, not '%s'", dir,
		    m->path);
		return -1;
	}
	if (st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH))) {
		err("Module '%s' must be owned by root and not writable by group or others",
		    m->path);
		return -1;
	}
	return check_trusted_dir(real_dir);
}

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#elif defined(__powerpc64__)
#define NATIVE_MACHINE EM_PPC64
#elif defined(__s390x__)
#define NATIVE_MACHINE EM_S390
#elif defined(__riscv)
#define NATIVE_MACHINE EM_RISCV
#endif

static const Elf64_Shdr *find_section(const struct modfile *m, const char *want)
{
	const Elf64_Ehdr *eh = (const void *)m->data;
	const Elf64_Shdr *sh = (const void *)(m->data + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[eh->e_shstrndx];

	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= strs->sh_size)
			continue;
		const char *nm = m->data + strs->sh_offset + sh[i].sh_name;
		size_t left = strs->sh_size - sh[i].sh_name;
		if (strnlen(nm, left) < left && strcmp(nm, want) == 0)
			return &sh[i];
	}
	return NULL;
}

/* Finds the module's name, .modinfo name entry and vermagic; -1 (reported) if the file is
 * not a loadable module for this machine. */
static int parse_module(struct modfile *m)
{
	const Elf64_Ehdr *eh = (const void *)m->data;
	const char *bad = NULL;

	if (m->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		bad = "not an ELF file";
	else if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		bad = "not a 64-bit little-endian ELF file (built for another architecture?)";
	else if (eh->e_type != ET_REL)
		bad = "not a relocatable object (.ko) file";
#ifdef NATIVE_MACHINE
	else if (eh->e_machine != NATIVE_MACHINE)
		bad = "built for another architecture";
#endif
	else if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > m->size ||
		 (m->size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum ||
		 eh->e_shstrndx >= eh->e_shnum)
		bad = "corrupt ELF section table";
	if (!bad) {
		const Elf64_Shdr *sh = (const void *)(m->data + eh->e_shoff);
		for (unsigned i = 0; i < eh->e_shnum && !bad; i++)
			if (sh[i].sh_type != SHT_NOBITS &&
			    (sh[i].sh_offset > m->size || sh[i].sh_size > m->size - sh[i].sh_offset))
				bad = "corrupt ELF file (a section lies outside the file)";
	}
	if (bad) {
		err("Couldn't insert module '%s': %s", m->path, bad);
		return -1;
	}

	const Elf64_Shdr *info = find_section(m, ".modinfo");
	const char *modinfo_name = NULL;
	if (info) {
		const char *p = m->data + info->sh_offset, *end = p + info->sh_size;
		while (p < end) {
			size_t len = strnlen(p, (size_t)(end - p));
			if (len == (size_t)(end - p))
				break;          /* unterminated: ignore the rest */
			if (len > 5 && strncmp(p, "name=", 5) == 0) {
				modinfo_name = p + 5;
				m->modinfo_name_off = (size_t)(p - m->data);
			} else if (len > 9 && strncmp(p, "vermagic=", 9) == 0) {
				snprintf(m->vermagic, sizeof(m->vermagic), "%.*s", (int)(len - 9), p + 9);
			}
			p += len + 1;
		}
	}

	/* struct module { enum state; struct list_head list; char name[56]; ... }: the name
	 * is at offset 24 on 64-bit kernels; fall back to searching for the .modinfo name. */
	const Elf64_Shdr *this_mod = find_section(m, ".gnu.linkonce.this_module");
	if (!this_mod || this_mod->sh_size < 24 + 56) {
		err("Couldn't insert module '%s': not a kernel module "
		    "(no .gnu.linkonce.this_module section)", m->path);
		return -1;
	}
	const char *sec = m->data + this_mod->sh_offset;
	size_t off = 24;
	if (modinfo_name && strncmp(sec + off, modinfo_name, 56) != 0) {
		off = 0;
		size_t want = strnlen(modinfo_name, 56);
		for (size_t o = 0; o + 56 <= this_mod->sh_size; o += 8)
			if (memcmp(sec + o, modinfo_name, want) == 0 && sec[o + want] == '\0') {
				off = o;
				break;
			}
	}
	if (!off || strnlen(sec + off, 56) >= 56 || !valid_module_name(sec + off)) {
		err("Couldn't insert module '%s': cannot find the module's name in it", m->path);
		return -1;
	}
	m->name_off = this_mod->sh_offset + off;
	snprintf(m->name, sizeof(m->name), "%s", sec + off);
	return 0;
}

/* Opens and reads MODULE as the invoking user and checks it may be loaded by them. */
static int open_module(const char *arg, struct modfile *m)
{
	char dir[PATH_MAX - 64], path[PATH_MAX];
	struct stat st;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!strchr(arg, '/') && !(strlen(arg) > 3 && strcmp(arg + strlen(arg) - 3, ".ko") == 0)) {
		module_dir(dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/%s.ko", dir, arg);
		m->path = strdup(path);
	} else {
		m->path = arg;
	}
	m->fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		err("Couldn't open module '%s': %s", m->path, strerror(errno));
		return -1;
	}
	if (fstat(m->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err("Couldn't insert module '%s': not a regular file", m->path);
		return -1;
	}
	if (level == LEVEL_USR && check_usr_module(m, &st) != 0)
		return -1;
	if (st.st_size <= 0 || st.st_size > (1L << 30)) {
		err("Couldn't insert module '%s': %s", m->path,
		    st.st_size <= 0 ? "the file is empty" : "the file is too large");
		return -1;
	}
	m->size = (size_t)st.st_size;
	m->data = malloc(m->size);
	if (!m->data) {
		err("out of memory reading '%s'", m->path);
		return -1;
	}
	for (size_t got = 0; got < m->size;) {
		ssize_t n = pread(m->fd, m->data + got, m->size - got, (off_t)got);
		if (n <= 0) {
			err("Couldn't read module '%s': %s", m->path, n < 0 ? strerror(errno) :
			    "the file shrank while being read");
			return -1;
		}
		got += (size_t)n;
	}
	return parse_module(m);
}

/* -R: gives the copy in memory a name no loaded module has. */
static int rename_module(struct modfile *m, int attempt)
{
	char suffix[32], newname[64];
	size_t keep;

	snprintf(suffix, sizeof(suffix), attempt ? "_%d_%d" : "_%d", (int)getpid(), attempt);
	keep = strlen(m->name);
	if (keep + strlen(suffix) > 55)
		keep = 55 - strlen(suffix);
	snprintf(newname, sizeof(newname), "%.*s%s", (int)keep, m->name, suffix);
	/* struct module's name: the name the kernel uses. */
	memset(m->data + m->name_off, 0, 56);
	memcpy(m->data + m->name_off, newname, strlen(newname));
	/* .modinfo "name=": rewritten in place when the new name fits, else blanked (the
	 * kernel then takes the name from struct module). */
	if (m->modinfo_name_off) {
		char *entry = m->data + m->modinfo_name_off;
		size_t len = strlen(entry);
		memset(entry, 0, len);
		if (strlen(newname) + 5 <= len)
			snprintf(entry, len + 1, "name=%s", newname);
	}
	snprintf(m->name, sizeof(m->name), "%s", newname);
	return 0;
}

/* ------------------------------------------------------------------ loading */

/* Builds the parameter string: ours first, then the user's NAME=VALUE arguments. */
static char *build_params(int argc, char **argv)
{
	size_t size = 128;

	for (int i = 0; i < argc; i++)
		size += strlen(argv[i]) + 4;
	char *s = malloc(size), *p = s;
	if (!s)
		return NULL;
	p += sprintf(p, "%s=%u", STP_PARAM_UID, (unsigned)ruid);
	if (opt.bufsize_mb)
		p += sprintf(p, " %s=%ld", STP_PARAM_BUFSIZE, opt.bufsize_mb);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
		int ok = nlen > 0;
		for (size_t k = 0; k < nlen; k++)
			if (!(a[k] == '_' || (a[k] >= 'a' && a[k] <= 'z') ||
			      (a[k] >= 'A' && a[k] <= 'Z') || (a[k] >= '0' && a[k] <= '9')))
				ok = 0;
		if (!ok || !eq) {
			err("invalid module option '%s': expected NAME=VALUE", a);
			free(s);
			return NULL;
		}
		if (strncmp(a, STP_PARAM_PREFIX, strlen(STP_PARAM_PREFIX)) == 0) {
			err("module option '%.*s' is reserved for staprun", (int)nlen, a);
			free(s);
			return NULL;
		}
		const char *v = eq + 1;
		int quote = 0;
		for (const char *q = v; *q; q++) {
			if (*q == '"' || (unsigned char)*q < 0x20 || *q == 0x7f) {
				err("module option '%s': the value may not contain quotes or control "
				    "characters", a);
				free(s);
				return NULL;
			}
			if (*q == ' ')
				quote = 1;
		}
		p += sprintf(p, quote ? " %.*s=\"%s\"" : " %.*s=%s", (int)nlen, a, v);
	}
	return s;
}

static int modules_disabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/modules_disabled", "re");
	int v = 0;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static void explain_load_error(const struct modfile *m, int e)
{
	const char *p = m->path;
	char built_for[128] = "";

	sscanf(m->vermagic, "%127s", built_for);
	switch (e) {
	case EEXIST:
		err("Couldn't insert module '%s': a module named '%s' is already loaded "
		    "(\"staprun -d %s\" removes it; -R loads another copy under a new name)",
		    p, m->name, m->name);
		break;
	case ENOEXEC:
		if (built_for[0] && strcmp(built_for, release()) != 0)
			err("Couldn't insert module '%s': Invalid module format: it was built for "
			    "kernel %s, but this kernel is %s", p, built_for, release());
		else
			err("Couldn't insert module '%s': Invalid module format (corrupt, or built "
			    "with another kernel configuration; dmesg tells more)", p);
		break;
	case ENOENT:
		err("Couldn't insert module '%s': Unknown symbol in module (the kernel log, "
		    "dmesg, names the symbol; was the module built for this kernel?)", p);
		break;
	case EINVAL:
		err("Couldn't insert module '%s': Invalid argument (a bad module parameter or a "
		    "symbol version mismatch; see dmesg)", p);
		break;
	case EKEYREJECTED: case ENOKEY: case EBADMSG: case EKEYEXPIRED: case EKEYREVOKED:
		err("Couldn't insert module '%s': the kernel rejected the module's signature "
		    "(%s): it only loads modules signed with a trusted key (module.sig_enforce "
		    "or Secure Boot)", p, strerror(e));
		break;
	case EPERM:
		if (modules_disabled())
			err("Couldn't insert module '%s': Operation not permitted: module loading "
			    "is disabled (kernel.modules_disabled=1)", p);
		else if (geteuid() != 0 && !setuid_mode)
			err("Couldn't insert module '%s': Operation not permitted: loading modules "
			    "needs root (is staprun installed setuid root?)", p);
		else
			err("Couldn't insert module '%s': Operation not permitted (kernel lockdown, "
			    "unsigned module, or a security module forbids it; see dmesg)", p);
		break;
	case ENOMEM:
		err("Couldn't insert module '%s': Cannot allocate memory%s", p,
		    opt.bufsize_mb ? " (is the -b buffer size too large?)" : "");
		break;
	case ENOSYS:
		err("Couldn't insert module '%s': this kernel cannot load modules", p);
		break;
	case ETXTBSY:
		err("Couldn't insert module '%s': the file is open for writing", p);
		break;
	default:
		err("Couldn't insert module '%s': %s (see dmesg)", p, strerror(e));
	}
}

static int load_module(struct modfile *m, const char *params)
{
	long ret;
	int e;

	for (int attempt = 0;; attempt++) {
		if (opt.rename)
			rename_module(m, attempt);
		dbug(1, "loading module %s as '%s' (%s)", m->path, m->name, params);
		priv_raise();
		if (opt.rename)
			ret = syscall(SYS_init_module, m->data, m->size, params);
		else
			ret = syscall(SYS_finit_module, m->fd, params, 0);
		e = errno;
		priv_lower();
		if (ret == 0)
			return 0;
		if (!(opt.rename && e == EEXIST && attempt < 10))
			break;
	}
	explain_load_error(m, e);
	return -1;
}

/* ------------------------------------------------------------------ stapio */

/* Opens the control channel and the output buffer of a loaded module (privileged). */
static int open_channels(const char *name, int *ctl, int *relay)
{
	char path[512];
	const char *root;
	int ret = -1;

	priv_raise();
	root = debugfs_root();
	if (!root)
		goto out;
	module_file_path(path, sizeof(path), root, name, STP_CMD_FILE);
	*ctl = open(path, O_RDWR | O_NONBLOCK);
	if (*ctl < 0) {
		if (errno == EBUSY)
			err("Couldn't attach to module '%s': another stapio is attached to it", name);
		else
			err("Couldn't open control channel '%s': %s", path, strerror(errno));
		goto out;
	}
	module_file_path(path, sizeof(path), root, name, STP_TRACE_FILE "0");
	*relay = open(path, O_RDONLY | O_NONBLOCK);
	if (*relay < 0) {
		err("Couldn't open output buffer '%s': %s", path, strerror(errno));
		close(*ctl);
		goto out;
	}
	ret = 0;
out:
	priv_lower();
	return ret;
}

/* Drops privileges for good and becomes stapio. Returns only on failure. */
static void exec_stapio(const char *name, int ctl, int relay)
{
	char path[PATH_MAX], fds[32];
	const char *argv[40];
	int n = 0;

	if (priv_drop() != 0) {
		err("cannot drop privileges: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/stapio", self_dir());
	if (access(path, X_OK) != 0)
		snprintf(path, sizeof(path), "%s/../libexec/stap/stapio", self_dir());
	argv[n++] = "stapio";
	for (int i = 0; i < verbose && i < 5; i++)
		argv[n++] = "-v";
	if (opt.warnings_off)
		argv[n++] = "-w";
	if (opt.color)
		argv[n++] = "-C", argv[n++] = opt.color;
	if (opt.outfile)
		argv[n++] = "-o", argv[n++] = opt.outfile;
	if (opt.switch_spec)
		argv[n++] = "-S", argv[n++] = opt.switch_spec;
	if (opt.cmd)
		argv[n++] = "-c", argv[n++] = opt.cmd;
	else if (opt.target)
		argv[n++] = "-x", argv[n++] = opt.target;
	if (opt.timeout)
		argv[n++] = "-T", argv[n++] = opt.timeout;
	if (opt.daemon)
		argv[n++] = "-D";
	if (opt.load_only)
		argv[n++] = "-L";
	if (opt.attach)
		argv[n++] = "-A";
	snprintf(fds, sizeof(fds), "%d,%d", ctl, relay);
	argv[n++] = "-F";
	argv[n++] = fds;
	argv[n++] = name;
	argv[n] = NULL;
	dbug(2, "exec %s", path);
	execv(path, (char *const *)argv);
	err("Couldn't run %s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------------ actions */

static int do_delete(const char *arg)
{
	if (strcmp(arg, "*") == 0) {
		DIR *d = opendir("/sys/module");
		struct dirent *de;
		int removed = 0;

		if (!d) {
			err("cannot list /sys/module: %s", strerror(errno));
			return 1;
		}
		while ((de = readdir(d))) {
			long owner;
			if (!valid_module_name(de->d_name) || (owner = module_owner(de->d_name)) < 0)
				continue;
			if (level != LEVEL_ROOT && level != LEVEL_DEV && owner != (long)ruid)
				continue;
			priv_raise();
			long r = syscall(SYS_delete_module, de->d_name, O_NONBLOCK);
			int e = errno;
			priv_lower();
			if (r == 0) {
				dbug(1, "removed module %s", de->d_name);
				removed++;
			} else {
				dbug(1, "module %s not removed: %s", de->d_name, strerror(e));
			}
		}
		closedir(d);
		dbug(1, "%d module(s) removed", removed);
		return 0;
	}
	char *name = module_name_from_path(arg);
	if (!name) {
		err("invalid module name '%s'", arg);
		return 1;
	}
	if (!may_control(name, "remove"))
		return 1;
	priv_raise();
	int r = remove_module(name, 0);
	priv_lower();
	if (r == 0)
		dbug(1, "module %s removed", name);
	return r ? 1 : 0;
}

static int do_attach(const char *arg)
{
	int ctl, relay;
	char *name = module_name_from_path(arg);

	if (!name) {
		err("invalid module name '%s'", arg);
		return 1;
	}
	if (!module_loaded(name)) {
		err("Couldn't attach to module '%s': it is not loaded", name);
		return 1;
	}
	if (!may_control(name, "attach to"))
		return 1;
	if (open_channels(name, &ctl, &relay) != 0)
		return 1;
	exec_stapio(name, ctl, relay);
	return 1;
}

static int do_run(const char *arg, int argc, char **argv)
{
	struct modfile m;
	int ctl, relay;

	if (open_module(arg, &m) != 0)
		return 1;
	char *params = build_params(argc, argv);
	if (!params)
		return 1;
	if (load_module(&m, params) != 0)
		return 1;
	close(m.fd);
	free(m.data);
	dbug(1, "module %s loaded", m.name);
	char built_for[128] = "";
	sscanf(m.vermagic, "%127s", built_for);
	if (built_for[0] && strcmp(built_for, release()) != 0 && !opt.warnings_off)
		warn("module '%s' was built for kernel %s, but this kernel is %s", m.path,
		     built_for, release());
	if (open_channels(m.name, &ctl, &relay) == 0) {
		exec_stapio(m.name, ctl, relay);
		close(ctl);
		close(relay);
	}
	priv_raise();
	remove_module(m.name, 0);
	priv_lower();
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	sigset_t block;
	long v;
	int c;

	progname = "staprun";
	priv_init();
	verbose_from_env();
	while ((c = getopt_long(argc, argv, "+vVwuhc:x:N:o:b:LAdDRS:T:C:r:", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'v': verbose++; break;
		case 'V':
			printf("staprun (SystemTap-compatible runtime) version %s\n", STAP_VERSION);
			return 0;
		case 'w': opt.warnings_off = 1; break;
		case 'u': case 'N': case 'r': break;       /* compatibility only */
		case 'h': usage(stdout); return 0;
		case 'c': opt.cmd = optarg; break;
		case 'x': opt.target = optarg; break;
		case 'o': opt.outfile = optarg; break;
		case 'b': opt.bufsize = optarg; break;
		case 'L': opt.load_only = 1; break;
		case 'A': opt.attach = 1; break;
		case 'd': opt.delete = 1; break;
		case 'D': opt.daemon = 1; break;
		case 'R': opt.rename = 1; break;
		case 'S': opt.switch_spec = optarg; break;
		case 'T': opt.timeout = optarg; break;
		case 'C': opt.color = optarg; break;
		default: usage(stderr); return 1;
		}
	}
	if (opt.color && set_color_mode(opt.color) != 0) {
		err("-C wants auto, never or always, not '%s'", opt.color);
		return 1;
	}
	if (opt.bufsize) {
		if (parse_long(opt.bufsize, 1, STP_BUFSIZE_MAX_MB, &v) != 0) {
			err("-b wants a buffer size in MB from 1 to %d, not '%s'", STP_BUFSIZE_MAX_MB,
			    opt.bufsize);
			return 1;
		}
		opt.bufsize_mb = v;
	}
	if (opt.target && parse_long(opt.target, 1, INT_MAX, &v) != 0) {
		err("-x wants a process id, not '%s'", opt.target);
		return 1;
	}
	if (opt.timeout && parse_long(opt.timeout, 1, INT_MAX, &v) != 0) {
		err("-T wants a timeout in ms (>= 1), not '%s'", opt.timeout);
		return 1;
	}
	if (opt.switch_spec) {
		char size[32], *comma;
		snprintf(size, sizeof(size), "%s", opt.switch_spec);
		comma = strchr(size, ',');
		if (comma)
			*comma = '\0';
		if (parse_long(size, 1, INT_MAX / 2, &v) != 0 ||
		    (comma && parse_long(comma + 1, 1, INT_MAX, &v) != 0)) {
			err("-S wants SIZE[,N] (MB, number of files), not '%s'", opt.switch_spec);
			return 1;
		}
		if (!opt.outfile) {
			err("-S needs -o FILE");
			return 1;
		}
	}
	if (opt.daemon && !opt.outfile) {
		err("-D (run in the background) needs -o FILE");
		return 1;
	}
	if (opt.load_only + opt.attach + opt.delete > 1) {
		err("-L, -A and -d exclude each other");
		return 1;
	}
	if (opt.cmd && opt.target)
		warn("-c and -x both given: target() is the -c command's pid");
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	if ((opt.attach || opt.delete) && optind + 1 != argc) {
		err("-%c takes a module name and no module options", opt.attach ? 'A' : 'd');
		return 1;
	}

	find_level();
	if (level == LEVEL_NONE) {
		no_privileges();
		return 1;
	}
	/* A signal between loading and stapio's start would leave the module loaded: hold
	 * them; stapio (which inherits the mask) takes them once it is ready. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	if (!opt.delete)
		sigprocmask(SIG_BLOCK, &block, NULL);

	if (opt.delete)
		return do_delete(argv[optind]);
	if (opt.attach)
		return do_attach(argv[optind]);
	return do_run(argv[optind], argc - optind - 1, argv + optind + 1);
}
