// SPDX-License-Identifier: GPL-2.0
/*
 * nfd-send: the traffic nfdropcap's tests and benchmark send between their
 * own network namespaces. Every mode is bounded in count and time.
 *
 *   nfd-send udp  ADDR PORT [COUNT [SIZE]]       COUNT datagrams of SIZE bytes
 *   nfd-send syn  ADDR PORT [COUNT]              COUNT connection attempts
 *   nfd-send tcp  ADDR PORT BYTES                connect, write BYTES at once
 *   nfd-send listen ADDR PORT SECONDS            accept and discard
 *   nfd-send sink ADDR PORT SECONDS              receive UDP and discard
 *   nfd-send flood ADDR PORT SECONDS [PPS [SIZE [PORTS]]]
 *                    UDP as fast as asked (PPS 0 = flat out) for SECONDS,
 *                    cycling over PORTS ports from PORT; prints "sent N"
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_SIZE 65000

static int resolve(const char *addr, const char *port,
		   struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV },
			*res;
	int err = getaddrinfo(addr, port, &hints, &res);

	if (err) {
		fprintf(stderr, "nfd-send: %s port %s: %s\n", addr, port,
			gai_strerror(err));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static int do_udp(struct sockaddr_storage *ss, socklen_t len, long count,
		  long size)
{
	static char buf[MAX_SIZE];
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);

	if (fd < 0 || size < 0 || size > MAX_SIZE)
		return 1;
	for (long i = 0; i < size; i++)
		buf[i] = 'a' + i % 26;
	for (long i = 0; i < count; i++)
		sendto(fd, buf, size, 0, (struct sockaddr *)ss, len);
	close(fd);
	return 0;
}

/* One SYN (or a few, if unanswered for 200 ms), then give up. */
static int do_syn(struct sockaddr_storage *ss, socklen_t len, long count)
{
	for (long i = 0; i < count; i++) {
		int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (fd < 0)
			return 1;
		connect(fd, (struct sockaddr *)ss, len);
		poll(&p, 1, 200);
		close(fd);
	}
	return 0;
}

static int do_tcp(struct sockaddr_storage *ss, socklen_t len, long bytes)
{
	int fd = socket(ss->ss_family, SOCK_STREAM, 0);
	struct timeval tv = { .tv_sec = 3 };
	char *buf = malloc(bytes > 0 ? bytes : 1);

	if (fd < 0 || !buf)
		return 1;
	for (long i = 0; i < bytes; i++)
		buf[i] = 'A' + i % 26;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)ss, len)) {
		perror("nfd-send: connect");
		return 1;
	}
	/* one write: the stack sends it as few large (GSO) packets */
	if (write(fd, buf, bytes) < 0)
		perror("nfd-send: write");
	usleep(300000);
	close(fd);
	free(buf);
	return 0;
}

static int do_listen(struct sockaddr_storage *ss, socklen_t len, long secs)
{
	int one = 1, fd = socket(ss->ss_family, SOCK_STREAM, 0);
	double end = now() + secs;
	char buf[65536];

	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, len) || listen(fd, 16)) {
		perror("nfd-send: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int c;

		if (poll(&p, 1, 100) <= 0)
			continue;
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		fcntl(c, F_SETFL, O_NONBLOCK);
		while (now() < end) {
			struct pollfd q = { .fd = c, .events = POLLIN };
			ssize_t n;

			if (poll(&q, 1, 100) <= 0)
				continue;
			n = read(c, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EAGAIN))
				break;
		}
		close(c);
	}
	close(fd);
	return 0;
}

static int do_sink(struct sockaddr_storage *ss, socklen_t len, long secs)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	double end = now() + secs;
	char buf[65536];

	if (fd < 0)
		return 1;
	if (bind(fd, (struct sockaddr *)ss, len)) {
		perror("nfd-send: sink");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	close(fd);
	return 0;
}

static int do_flood(struct sockaddr_storage *ss, socklen_t len, long secs,
		    long pps, long size, long ports)
{
	static char buf[MAX_SIZE];
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	int base = ntohs(ss->ss_family == AF_INET ?
				 ((struct sockaddr_in *)ss)->sin_port :
				 ((struct sockaddr_in6 *)ss)->sin6_port);
	double start = now(), end = start + secs;
	long sent = 0;

	if (fd < 0 || size < 0 || size > MAX_SIZE || ports < 1)
		return 1;
	memset(buf, 'x', size);
	while (now() < end) {
		/* a burst of 64, then pace to the asked rate */
		for (int i = 0; i < 64; i++, sent++) {
			set_port(ss, base + sent % ports);
			sendto(fd, buf, size, 0, (struct sockaddr *)ss, len);
		}
		while (pps && sent > (now() - start) * pps && now() < end)
			;
	}
	printf("sent %ld\n", sent);
	close(fd);
	return 0;
}

static long arg(int argc, char **argv, int i, long def)
{
	return i < argc ? strtol(argv[i], NULL, 0) : def;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *mode;

	if (argc < 4) {
		fprintf(stderr,
			"usage: nfd-send udp|syn|tcp|listen|sink|flood ADDR "
			"PORT [ARGS]\n");
		return 2;
	}
	mode = argv[1];
	if (resolve(argv[2], argv[3], &ss, &len))
		return 2;
	if (!strcmp(mode, "udp"))
		return do_udp(&ss, len, arg(argc, argv, 4, 1),
			      arg(argc, argv, 5, 16));
	if (!strcmp(mode, "syn"))
		return do_syn(&ss, len, arg(argc, argv, 4, 1));
	if (!strcmp(mode, "tcp"))
		return do_tcp(&ss, len, arg(argc, argv, 4, 1000));
	if (!strcmp(mode, "sink"))
		return do_sink(&ss, len, arg(argc, argv, 4, 5));
	if (!strcmp(mode, "listen"))
		return do_listen(&ss, len, arg(argc, argv, 4, 5));
	if (!strcmp(mode, "flood"))
		return do_flood(&ss, len, arg(argc, argv, 4, 1),
				arg(argc, argv, 5, 0), arg(argc, argv, 6, 16),
				arg(argc, argv, 7, 1));
	fprintf(stderr, "nfd-send: unknown mode '%s'\n", mode);
	return 2;
}
