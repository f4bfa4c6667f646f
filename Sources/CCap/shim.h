/* libcap from the system. */
#ifndef POSTERN_CCAP_SHIM_H
#define POSTERN_CCAP_SHIM_H
#include <sys/capability.h>
#endif
