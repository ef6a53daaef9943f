//go:build linux && cgo

package main

// #include <malloc.h>
// static void drempel_limit_arenas(void) {
// #ifdef M_ARENA_MAX
//	mallopt(M_ARENA_MAX, 2);
// #endif
// }
import "C"

// limitMallocArenas keeps C's allocator (SQLite's, through the driver) to
// two arenas. glibc makes one per thread that finds the others busy, up to
// eight per core, and 200 kiosks at once keep a dozen threads in SQLite:
// with two, the peak of the load benchmark was 82 MB instead of 86 MB,
// with as many check-ins. MALLOC_ARENA_MAX in the environment wins. A C
// library without the setting (musl) is left as it is.
func limitMallocArenas() { C.drempel_limit_arenas() }
