// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into the static binary only. Debian's libpcap.a reaches
 * libdbus-1.a (for listing D-Bus capture devices, which nfdropcap never
 * does), and libdbus-1.a wants two functions of libsystemd, of which
 * Debian ships no static archive. These say "no sockets passed in".
 */
int sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0;
}

int sd_is_socket(int fd, int family, int type, int listening)
{
	(void)fd;
	(void)family;
	(void)type;
	(void)listening;
	return 0;
}
