// libarchive, loaded on first use instead of at every kiln start.
//
// libarchive brings a dozen shared libraries with it (libxml2 and ICU among them), and loading
// and relocating them cost ~5 ms of every kiln process, including each `kiln run` that never
// reads or writes a tar. kiln therefore does not link it: this file defines the libarchive
// functions kiln calls, and the first call dlopen()s the library (its SONAME, read from the
// library found at build time) and forwards each call to the real function. Contract: the same
// functions, the same behaviour; a missing library is fatal with a message naming the package,
// as the dynamic loader's failure would have been at start-up. A program that links libarchive
// itself (the tests' tar builder) still works: the forwarders reach the real functions through
// the dlopen handle, never through themselves. A libarchive function not defined here fails to
// link (kiln does not link the library): add it below.
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#ifndef KILN_LIBARCHIVE_SONAME
#error "KILN_LIBARCHIVE_SONAME must name libarchive's shared library (set by CMake)"
#endif

namespace {

[[noreturn]] void Die(const char* what, const char* detail) {
  std::fprintf(stderr, "kiln: %s: %s (is Debian's libarchive13 installed?)\n", what,
               detail ? detail : "");
  std::abort();
}

void* Library() {
  static void* handle = [] {
    void* h = ::dlopen(KILN_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) Die("cannot load " KILN_LIBARCHIVE_SONAME, ::dlerror());
    return h;
  }();
  return handle;
}

template <typename F>
F Resolve(F /*type only*/, const char* name) {
  void* p = ::dlsym(Library(), name);
  if (p == nullptr) Die(name, ::dlerror());
  return reinterpret_cast<F>(p);
}

}  // namespace

// Defines `name` with the given parameters, forwarding `args` to the library's own `name`.
#define KILN_FORWARD(ret, name, params, args)         \
  extern "C" ret name params {                        \
    static const auto real = Resolve(&::name, #name); \
    return real args;                                 \
  }

KILN_FORWARD(struct archive*, archive_read_new, (void), ())
KILN_FORWARD(int, archive_read_free, (struct archive * a), (a))
KILN_FORWARD(int, archive_read_support_filter_gzip, (struct archive * a), (a))
KILN_FORWARD(int, archive_read_support_filter_none, (struct archive * a), (a))
KILN_FORWARD(int, archive_read_support_filter_zstd, (struct archive * a), (a))
KILN_FORWARD(int, archive_read_support_format_tar, (struct archive * a), (a))
KILN_FORWARD(int, archive_read_open,
             (struct archive * a, void* data, archive_open_callback* o, archive_read_callback* r,
              archive_close_callback* c),
             (a, data, o, r, c))
KILN_FORWARD(int, archive_read_open_filename, (struct archive * a, const char* f, size_t block),
             (a, f, block))
KILN_FORWARD(int, archive_read_next_header, (struct archive * a, struct archive_entry** e), (a, e))
KILN_FORWARD(la_ssize_t, archive_read_data, (struct archive * a, void* buf, size_t n), (a, buf, n))
KILN_FORWARD(int, archive_read_data_block,
             (struct archive * a, const void** buf, size_t* n, la_int64_t* offset),
             (a, buf, n, offset))
KILN_FORWARD(int, archive_read_data_skip, (struct archive * a), (a))
// Never null: libarchive returns NULL when it failed without setting a message (a corrupt pax
// sparse header does), and every caller appends the result to a std::string (found by
// fuzz/tar_read_fuzz.cc; reproducer in fuzz/corpus/tar_read/regress-null-error-string).
extern "C" const char* archive_error_string(struct archive* a) {
  static const auto real = Resolve(&::archive_error_string, "archive_error_string");
  const char* s = real(a);
  return s != nullptr ? s : "unknown libarchive error";
}

KILN_FORWARD(struct archive*, archive_write_new, (void), ())
KILN_FORWARD(int, archive_write_free, (struct archive * a), (a))
KILN_FORWARD(int, archive_write_close, (struct archive * a), (a))
KILN_FORWARD(int, archive_write_set_format_pax_restricted, (struct archive * a), (a))
KILN_FORWARD(int, archive_write_set_bytes_per_block, (struct archive * a, int n), (a, n))
KILN_FORWARD(int, archive_write_set_bytes_in_last_block, (struct archive * a, int n), (a, n))
KILN_FORWARD(int, archive_write_open,
             (struct archive * a, void* data, archive_open_callback* o, archive_write_callback* w,
              archive_close_callback* c),
             (a, data, o, w, c))
KILN_FORWARD(int, archive_write_open_filename, (struct archive * a, const char* f), (a, f))
KILN_FORWARD(int, archive_write_header, (struct archive * a, struct archive_entry* e), (a, e))
KILN_FORWARD(la_ssize_t, archive_write_data, (struct archive * a, const void* buf, size_t n),
             (a, buf, n))

KILN_FORWARD(struct archive_entry*, archive_entry_new, (void), ())
KILN_FORWARD(void, archive_entry_free, (struct archive_entry * e), (e))
KILN_FORWARD(void, archive_entry_copy_stat, (struct archive_entry * e, const struct stat* st),
             (e, st))
KILN_FORWARD(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))
KILN_FORWARD(__LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e))
KILN_FORWARD(la_int64_t, archive_entry_uid, (struct archive_entry * e), (e))
KILN_FORWARD(la_int64_t, archive_entry_gid, (struct archive_entry * e), (e))
KILN_FORWARD(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))
KILN_FORWARD(dev_t, archive_entry_rdev, (struct archive_entry * e), (e))
KILN_FORWARD(time_t, archive_entry_mtime, (struct archive_entry * e), (e))
KILN_FORWARD(long, archive_entry_mtime_nsec, (struct archive_entry * e), (e))
KILN_FORWARD(const char*, archive_entry_pathname, (struct archive_entry * e), (e))
KILN_FORWARD(const char*, archive_entry_hardlink, (struct archive_entry * e), (e))
KILN_FORWARD(const char*, archive_entry_symlink, (struct archive_entry * e), (e))
KILN_FORWARD(void, archive_entry_set_filetype, (struct archive_entry * e, unsigned int t), (e, t))
KILN_FORWARD(void, archive_entry_set_perm, (struct archive_entry * e, __LA_MODE_T m), (e, m))
KILN_FORWARD(void, archive_entry_set_size, (struct archive_entry * e, la_int64_t n), (e, n))
KILN_FORWARD(void, archive_entry_set_mtime, (struct archive_entry * e, time_t s, long ns),
             (e, s, ns))
KILN_FORWARD(void, archive_entry_set_rdev, (struct archive_entry * e, dev_t d), (e, d))
KILN_FORWARD(void, archive_entry_set_pathname, (struct archive_entry * e, const char* p), (e, p))
KILN_FORWARD(void, archive_entry_set_hardlink, (struct archive_entry * e, const char* p), (e, p))
KILN_FORWARD(void, archive_entry_set_symlink, (struct archive_entry * e, const char* p), (e, p))
KILN_FORWARD(int, archive_entry_xattr_reset, (struct archive_entry * e), (e))
KILN_FORWARD(int, archive_entry_xattr_next,
             (struct archive_entry * e, const char** n, const void** v, size_t* s), (e, n, v, s))
KILN_FORWARD(void, archive_entry_sparse_add_entry,
             (struct archive_entry * e, la_int64_t offset, la_int64_t length), (e, offset, length))
KILN_FORWARD(int, archive_entry_sparse_count, (struct archive_entry * e), (e))
KILN_FORWARD(void, archive_entry_sparse_clear, (struct archive_entry * e), (e))
KILN_FORWARD(void, archive_entry_xattr_add_entry,
             (struct archive_entry * e, const char* n, const void* v, size_t s), (e, n, v, s))

// Variadic: formatted here, handed on as one string. A null format clears the error, as the
// library's own does.
extern "C" void archive_set_error(struct archive* a, int err, const char* fmt, ...) {
  static const auto real = Resolve(&::archive_set_error, "archive_set_error");
  if (fmt == nullptr) return real(a, err, nullptr);
  char* message = nullptr;
  va_list ap;
  va_start(ap, fmt);
  int n = ::vasprintf(&message, fmt, ap);
  va_end(ap);
  real(a, err, "%s", n >= 0 ? message : fmt);
  if (n >= 0) std::free(message);
}
