/* version.h - the version we report, and the SystemTap language version we follow. */
#ifndef STAP_VERSION_H
#define STAP_VERSION_H

#define STAP_VERSION "5.0"          /* systemtap_v and `stap -V` */
#define STAP_PACKAGE "stap (SystemTap-compatible translator)"

#endif
