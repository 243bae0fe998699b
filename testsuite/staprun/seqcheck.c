/* seqcheck.c - checks numbered output lines, fast (busybox awk is slow under TCG).
 *
 * seqcheck [-a] [FILE...]   (stdin without FILE)
 *
 * Lines of the form "KEY N" (KEY one word, N a decimal number) are sequence lines: for
 * each KEY the numbers must run N0, N0+1, N0+2, ... in file order, with N0 = 0 (or, with
 * -a, whatever the first one is). Every other line is counted as "other". Prints one line:
 *   lines=L seq=S other=O bad=B bytes=Y keys=KEY:FIRST-LAST,...
 * and exits 0 when bad is 0. A line cut short at the end of input counts as bad.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXKEYS 64

struct key {
	char name[32];
	long first, next;
};

int main(int argc, char **argv)
{
	static struct key keys[MAXKEYS];
	int nkeys = 0, any_start = 0, argi = 1;
	long lines = 0, seq = 0, other = 0, bad = 0, bytes = 0;
	char line[4096];

	if (argi < argc && strcmp(argv[argi], "-a") == 0) {
		any_start = 1;
		argi++;
	}
	for (int f = argi; f < argc || f == argi; f++) {
		FILE *in = f < argc ? fopen(argv[f], "r") : stdin;
		if (!in) {
			perror(argv[f]);
			return 2;
		}
		while (fgets(line, sizeof(line), in)) {
			size_t len = strlen(line);
			char name[32], *end;
			long n;

			bytes += (long)len;
			lines++;
			if (len == 0 || line[len - 1] != '\n') {
				bad++;
				continue;
			}
			line[--len] = '\0';
			char *sp = strchr(line, ' ');
			if (!sp || sp == line || (size_t)(sp - line) >= sizeof(name) || !sp[1] ||
			    strchr(sp + 1, ' ')) {
				other++;
				continue;
			}
			n = strtol(sp + 1, &end, 10);
			if (*end || sp[1] < '0' || sp[1] > '9') {
				other++;
				continue;
			}
			memcpy(name, line, (size_t)(sp - line));
			name[sp - line] = '\0';
			int k;
			for (k = 0; k < nkeys && strcmp(keys[k].name, name) != 0; k++)
				;
			if (k == nkeys) {
				if (nkeys == MAXKEYS) {
					other++;
					continue;
				}
				strcpy(keys[k].name, name);
				keys[k].first = keys[k].next = any_start ? n : 0;
				nkeys++;
			}
			seq++;
			if (n != keys[k].next)
				bad++;
			keys[k].next = n + 1;
		}
		if (in != stdin)
			fclose(in);
	}
	printf("lines=%ld seq=%ld other=%ld bad=%ld bytes=%ld keys=", lines, seq, other, bad,
	       bytes);
	for (int k = 0; k < nkeys; k++)
		printf("%s%s:%ld-%ld", k ? "," : "", keys[k].name, keys[k].first, keys[k].next - 1);
	printf("\n");
	return bad ? 1 : 0;
}
