/* options.c - stap's command line and its environment (paths, kernel release, names).
 *
 * options_parse() fills the session from argv with SystemTap's option letters;
 * environment_setup() then finds the runtime, tapset and helper programs (next to an
 * in-tree binary, or relative to an installed one), settles the kernel release and its
 * build tree, and names the module.
 */
#define _GNU_SOURCE
#include "options.h"
#include "arena.h"
#include "diag.h"
#include "elaborate.h"
#include "guru.h"
#include "usymbols.h"
#include "util.h"
#include "version.h"

#include <elfutils/libdwfl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <dirent.h>
#include <xxhash.h>

#define STAP_TESTED_KERNELS "6.1 (x86_64; Debian 6.1.0-56-cloud-amd64)"

#define A(...) arena_printf(g_arena, __VA_ARGS__)

void strlist_add(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		const char **v = arena_alloc(g_arena, (size_t)l->cap * sizeof(*v));
		if (l->n)
			memcpy(v, l->v, (size_t)l->n * sizeof(*v));
		l->v = v;
	}
	l->v[l->n++] = s;
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: stap [options] FILE [ARGS ...]        Run script in file.\n"
"   or: stap [options] - [ARGS ...]           Run script on stdin.\n"
"   or: stap [options] -e SCRIPT [ARGS ...]   Run given script.\n"
"   or: stap [options] -l PROBE [ARGS ...]    List matching probes.\n"
"   or: stap [options] -L PROBE [ARGS ...]    List matching probes and local variables.\n"
"   or: stap [options] --dump-probe-types     List available probe types.\n"
"   or: stap [options] --dump-probe-aliases   List available probe aliases.\n"
"   or: stap [options] --dump-functions       List available functions.\n"
"\n"
"Options:\n"
"   --         end of translator options, script options follow\n"
"   -h --help  show this help\n"
"   -V --version  show version information\n"
"   -p NUM     stop after pass NUM 1-5 (parse, elaborate, translate, compile, run)\n"
"   -v         add verbosity to all passes\n"
"   --vp {N}+  add per-pass verbosity\n"
"   -k         keep temporary directory\n"
"   -g         guru mode (allow embedded C and writes to kernel data)\n"
"   -w         suppress warnings\n"
"   -W         turn warnings into errors\n"
"   -u         unoptimized translation\n"
"   -e SCRIPT  run given script instead of a file\n"
"   -I DIR     look in DIR for additional .stp script files\n"
"   -D NM=VAL  emit macro definition into generated C code\n"
"   -B NM=VAL  pass option to kbuild make\n"
"   -r DIR     cross-compile to kernel with given build tree; or else\n"
"   -r RELEASE cross-compile to kernel /lib/modules/RELEASE/build\n"
"   -m MODULE  set probe module name\n"
"   -o FILE    send script output to FILE\n"
"   -c CMD     start the probes, run CMD, and exit when it finishes\n"
"   -x PID     sets target() to PID\n"
"   -d OBJECT  add unwind/symbol data for OBJECT: a user binary given by its path\n"
"              (kernel modules always have it)\n"
"   --ldd      add unwind/symbol data for the shared libraries the -d binaries need\n"
"   --all-modules  add symbol data for all loaded kernel modules (always there)\n"
"   -l PROBE   just list matching probe points\n"
"   -L PROBE   just list matching probe points and script-level local variables\n"
"   --dump-probe-types\n"
"              show a list of available probe types\n"
"   --dump-probe-aliases\n"
"              show a list of available probe aliases\n"
"   --dump-functions\n"
"              show a list of available functions\n"
"   --privilege=PRIVILEGE_LEVEL\n"
"              check the script for constructs not allowed at the given privilege\n"
"              level: stapusr, stapsys or stapdev (the default)\n"
"   --unprivileged\n"
"              equivalent to --privilege=stapusr\n"
"   --remote=qemu[:RELEASE]\n"
"              run pass 5 in a throwaway QEMU VM booting RELEASE (default: the\n"
"              -r release, or the newest installed kernel with a build tree)\n"
"   --disable-cache  do not use the module cache\n"
"   --suppress-handler-errors\n"
"              catch all runtime errors, quietly skip probe handlers that fail\n"
"   --skip-badvars\n"
"              substitute zero for bad context $variables\n"
"   --suppress-time-limits\n"
"              disable the MAXACTION limit (requires -g)\n");
}

/* Whether PROG is an executable in $PATH (for the runtimes -V lists). */
static int in_path(const char *prog)
{
	const char *path = getenv("PATH");

	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");
		if (access(A("%.*s/%s", (int)n, p, prog), X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/* SystemTap's -V layout, so tools that parse "version X/Y" keep working: the language
 * version we follow / the elfutils version we use. */
static void version(void)
{
	unsigned xxh = XXH_versionNumber();

	printf("Systemtap translator/driver (version %s/%s, %s)\n", STAP_VERSION,
	       dwfl_version(NULL), STAP_PACKAGE);
	printf("This is free software; see the source for copying conditions.\n");
	printf("tested kernel versions: %s\n", STAP_TESTED_KERNELS);
	printf("libraries: libdw %s, xxhash %u.%u.%u\n", dwfl_version(NULL), xxh / 10000,
	       xxh / 100 % 100, xxh % 100);
	printf("enabled features: LIBDW XXHASH RELAY PRIVILEGES QEMU_REMOTE\n");
	printf("available runtimes: kernel (a kernel module run by staprun), qemu "
	       "(--remote=qemu: the module in a throwaway VM%s)\n",
	       in_path("qemu-system-x86_64") ? "" : "; qemu-system-x86_64 not found");
}

static int parse_pass(const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);

	return (*end || n < 1 || n > 5) ? -1 : (int)n;
}

enum { OPT_VP = 256, OPT_REMOTE, OPT_DISABLE_CACHE, OPT_DUMP_FUNCTIONS, OPT_DUMP_PROBE_TYPES,
       OPT_DUMP_PROBE_ALIASES, OPT_PRIVILEGE, OPT_UNPRIVILEGED, OPT_ALL_MODULES,
       OPT_SUPPRESS_HANDLER_ERRORS, OPT_SKIP_BADVARS, OPT_SUPPRESS_TIME_LIMITS, OPT_LDD };

static int set_privilege(const char *arg)
{
	if (!strcmp(arg, "stapusr"))
		elab_opts.privilege = PRIV_STAPUSR;
	else if (!strcmp(arg, "stapsys"))
		elab_opts.privilege = PRIV_STAPSYS;
	else if (!strcmp(arg, "stapdev"))
		elab_opts.privilege = PRIV_STAPDEV;
	else
		return -1;
	elab_opts.privilege_given = 1;
	return 0;
}

int options_parse(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "vp", required_argument, NULL, OPT_VP },
		{ "remote", required_argument, NULL, OPT_REMOTE },
		{ "disable-cache", no_argument, NULL, OPT_DISABLE_CACHE },
		{ "dump-functions", no_argument, NULL, OPT_DUMP_FUNCTIONS },
		{ "dump-probe-types", no_argument, NULL, OPT_DUMP_PROBE_TYPES },
		{ "dump-probe-aliases", no_argument, NULL, OPT_DUMP_PROBE_ALIASES },
		{ "privilege", required_argument, NULL, OPT_PRIVILEGE },
		{ "unprivileged", no_argument, NULL, OPT_UNPRIVILEGED },
		{ "all-modules", no_argument, NULL, OPT_ALL_MODULES },
		{ "ldd", no_argument, NULL, OPT_LDD },
		{ "suppress-handler-errors", no_argument, NULL, OPT_SUPPRESS_HANDLER_ERRORS },
		{ "skip-badvars", no_argument, NULL, OPT_SKIP_BADVARS },
		{ "suppress-time-limits", no_argument, NULL, OPT_SUPPRESS_TIME_LIMITS },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	s->last_pass = 5;
	while ((opt = getopt_long(argc, argv, "+hVvp:kgwWue:I:D:B:r:m:o:c:x:l:L:d:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h': usage(stdout); return 0;
		case 'V': version(); return 0;
		case 'v':
			for (int i = 0; i < 5; i++)
				s->verbose[i]++;
			break;
		case OPT_VP:
			for (int i = 0; i < 5 && optarg[i]; i++) {
				if (optarg[i] < '0' || optarg[i] > '9')
					goto bad;
				s->verbose[i] += optarg[i] - '0';
			}
			break;
		case 'p':
			s->last_pass = parse_pass(optarg);
			if (s->last_pass < 0) {
				fprintf(stderr, "Invalid pass number (should be 1-5).\n");
				return 1;
			}
			break;
		case 'k': s->keep_tmp = 1; break;
		case 'g': s->guru = 1; break;
		case 'w': s->suppress_warnings = 1; break;
		case 'W': s->warnings_fatal = 1; break;
		case 'u': s->unoptimized = 1; break;
		case 'e': s->script_text = optarg; break;
		case 'I': strlist_add(&s->include_dirs, optarg); break;
		case 'D': strlist_add(&s->defines, optarg); break;
		case 'B': strlist_add(&s->kbuild_opts, optarg); break;
		case 'r': s->release = optarg; break;
		case 'm':
			s->module_name = optarg;
			break;
		case 'o': s->output_file = optarg; break;
		case 'c': s->target_cmd = optarg; break;
		case 'x': s->target_pid = strtol(optarg, NULL, 10); break;
		case OPT_REMOTE:
			if (strncmp(optarg, "qemu", 4) != 0 || (optarg[4] && optarg[4] != ':')) {
				fprintf(stderr, "ERROR: unsupported --remote '%s' (supported: qemu[:RELEASE])\n",
					optarg);
				return 1;
			}
			s->remote = optarg;
			s->remote_qemu = 1;
			if (optarg[4] == ':' && optarg[5])
				s->release = optarg + 5;
			break;
		case OPT_DISABLE_CACHE: s->disable_cache = 1; break;
		case 'l':
		case 'L':
			elab_opts.list = opt == 'l' ? 1 : 2;
			elab_opts.list_pattern = optarg;
			break;
		case OPT_DUMP_FUNCTIONS: elab_opts.dump = DUMP_FUNCTIONS; break;
		case OPT_DUMP_PROBE_TYPES: elab_opts.dump = DUMP_PROBE_TYPES; break;
		case OPT_DUMP_PROBE_ALIASES: elab_opts.dump = DUMP_PROBE_ALIASES; break;
		case OPT_PRIVILEGE:
			if (set_privilege(optarg) != 0) {
				fprintf(stderr, "Invalid argument '%s' for --privilege.\n", optarg);
				return 1;
			}
			break;
		case OPT_UNPRIVILEGED: set_privilege("stapusr"); break;
		case OPT_SUPPRESS_HANDLER_ERRORS: s->suppress_handler_errors = 1; break;
		case OPT_SKIP_BADVARS: s->skip_badvars = 1; break;
		case OPT_SUPPRESS_TIME_LIMITS: s->suppress_time_limits = 1; break;
		/* Symbol data for backtraces: kernel and module symbols come from the running
		 * kernel's kallsyms (loaded modules included); user binaries' go into the
		 * module (usymbols.c). */
		case 'd': usymbols_option_d(optarg); break;
		case OPT_LDD: usymbols_option_ldd(); break;
		case OPT_ALL_MODULES: break;
		default:
bad:
			fprintf(stderr, "Try '%s --help' for more information.\n", argv[0]);
			return 1;
		}
	}
	if (s->guru && elab_opts.privilege != PRIV_STAPDEV) {
		fprintf(stderr, "You can't specify -g and --privilege=%s together.\n",
			elab_opts.privilege == PRIV_STAPUSR ? "stapusr" : "stapsys");
		fprintf(stderr, "Try '%s --help' for more information.\n", argv[0]);
		return 1;
	}
	if (guru_options(s) != 0)
		return 1;
	/* Listings are pass 2 of a script made for them. */
	if (elab_opts.dump) {
		s->script_text = "";
		s->last_pass = 2;
	} else if (elab_opts.list) {
		s->script_text = arena_printf(g_arena, "probe %s {}", elab_opts.list_pattern);
		s->last_pass = 2;
	}
	if (!s->script_text) {
		if (optind >= argc) {
			fprintf(stderr, "A script must be specified.\n");
			fprintf(stderr, "Try '%s --help' for more information.\n", argv[0]);
			return 1;
		}
		s->script_path = argv[optind++];
	}
	for (; optind < argc; optind++)
		strlist_add(&s->args, argv[optind]);
	if (s->module_name && !valid_module_name(s->module_name)) {
		fprintf(stderr, "ERROR: invalid module name '%s': use letters, digits and '_' "
			"(at most 55)\n", s->module_name);
		return 1;
	}
	return -1;
}

int valid_module_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 55)
		return 0;
	for (const char *p = name; *p; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

/* ---- environment ---- */

static int find_paths(struct session *s)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		fprintf(stderr, "ERROR: cannot find the stap executable\n");
		return -1;
	}
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';                      /* .../translator or PREFIX/bin */
	const char *top = arena_strndup(g_arena, exe, (size_t)(strrchr(exe, '/') - exe));
	if (file_exists(A("%s/runtime/stp_runtime.h", top))) {  /* in the source tree */
		s->runtime_dir = A("%s/runtime", top);
		s->tapset_dir = A("%s/tapset", top);
		s->libexec_dir = A("%s/staprun", top);
	} else {
		s->runtime_dir = A("%s/share/stap/runtime", top);
		s->tapset_dir = A("%s/share/stap/tapset", top);
		s->libexec_dir = A("%s/libexec/stap", top);
	}
	const char *env;
	if ((env = getenv("SYSTEMTAP_RUNTIME")) && *env)
		s->runtime_dir = env;
	if ((env = getenv("SYSTEMTAP_TAPSET")) && *env)
		s->tapset_dir = env;
	return 0;
}

/* The newest release that has both a kernel image and a build tree (for --remote=qemu). */
static const char *newest_bootable_release(void)
{
	DIR *d = opendir("/boot");
	struct dirent *de;
	const char *best = NULL;

	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vmlinuz-", 8) != 0)
			continue;
		const char *rel = de->d_name + 8;
		if (!file_exists(A("/lib/modules/%s/build/Makefile", rel)))
			continue;
		if (!best || strverscmp(rel, best) > 0)
			best = arena_strdup(g_arena, rel);
	}
	closedir(d);
	return best;
}

/* "6.1.0-56-cloud-amd64" -> "6.1.0" (kernel_v); the full release is kernel_vr. */
static const char *version_of_release(const char *release)
{
	size_t n = strspn(release, "0123456789.");
	return arena_strndup(g_arena, release, n);
}

static int find_release(struct session *s)
{
	struct utsname u;
	const char *running = uname(&u) == 0 ? arena_strdup(g_arena, u.release) : "";

	if (!s->release && s->remote_qemu) {
		if (file_exists(A("/boot/vmlinuz-%s", running)) &&
		    file_exists(A("/lib/modules/%s/build/Makefile", running)))
			s->release = running;
		else
			s->release = newest_bootable_release();
		if (!s->release) {
			fprintf(stderr, "ERROR: --remote=qemu found no kernel to boot: install one with "
				"its headers, e.g. apt-get install linux-image-cloud-amd64 "
				"linux-headers-cloud-amd64\n");
			return -1;
		}
	}
	if (!s->release)
		s->release = running;
	if (strchr(s->release, '/')) {                  /* -r BUILD_TREE */
		s->build_dir = s->release;
		const char *rel = read_first_line(A("%s/include/config/kernel.release", s->build_dir));
		s->release = rel ? rel : s->release;
	} else {
		s->build_dir = A("/lib/modules/%s/build", s->release);
	}
	s->kernel_version = version_of_release(strrchr(s->release, '/') ? "" : s->release);
	if (s->last_pass >= 4 && !file_exists(A("%s/Makefile", s->build_dir))) {
		fprintf(stderr, "ERROR: no kernel build tree for release %s (%s): install it with "
			"'apt-get install linux-headers-%s' or choose another release with -r\n",
			s->release, s->build_dir, s->release);
		return -1;
	}
	/* A module built for another kernel can't run here: SystemTap stops after pass 4. */
	if (s->last_pass == 5 && !s->remote_qemu && strcmp(s->release, running) != 0) {
		diag_warning(NULL, NULL, "kernel release/architecture mismatch with host forces "
			     "last-pass 4.");
		s->last_pass = 4;
	}
	return 0;
}

int environment_setup(struct session *s)
{
	s->arch = "x86_64";
	/* Without -m, pass 4 names the module after its cache key (cache.c). */
	if (find_paths(s) != 0 || find_release(s) != 0)
		return -1;
	return 0;
}
