/* rawframe - sends one Ethernet frame that no protocol handles, to exercise the kernel's
 * receive-drop path in run tests.
 *
 *   rawframe [IFNAME [ETHERTYPE]]     defaults: lo, 0x4321
 *
 * The frame: destination 00:00:00:00:00:00, source 00:00:5e:00:53:00 (documentation
 * range), the EtherType, and 46 zero bytes of payload, sent on an AF_PACKET raw socket.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "lo";
	unsigned type = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 0x4321;
	unsigned char frame[60] = { 0 };
	static const unsigned char src[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x00 };
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	to.sll_ifindex = (int)if_nametoindex(ifname);
	if (!to.sll_ifindex) {
		fprintf(stderr, "rawframe: no interface %s\n", ifname);
		return 1;
	}
	memcpy(frame + 6, src, 6);
	frame[12] = (unsigned char)(type >> 8);
	frame[13] = (unsigned char)type;
	if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("sendto");
		return 1;
	}
	close(fd);
	return 0;
}
