/* kiln-snapshot NAME [--version SPEC]: kiln-init run under the name kiln-snapshot (kiln places
 * it at /usr/local/bin/kiln-snapshot in every sandbox). It asks kiln, over the channel kiln-init
 * gave this command's exec ($KILN_SNAPSHOT_FD, snapshot_protocol.h), to capture the sandbox's
 * filesystem as the next version of NAME, and prints the reference made (NAME:X.Y.Z).
 * Exit codes: 0 made; 1 kiln refused or failed, or no channel; 2 usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "snapshot_protocol.h"

static const char kUsage[] =
    "usage: kiln-snapshot NAME [--version SPEC]\n"
    "Asks kiln to capture this sandbox's filesystem, as it is now, as the next version of the\n"
    "image NAME, and prints the reference made (NAME:X.Y.Z). SPEC: \"2.*\" for the next 2.x;\n"
    "default: the next minor version. The sandbox is frozen while its changes are captured.\n";

static int usage_error(const char* what, const char* arg) {
  fprintf(stderr, "kiln-snapshot: %s%s\n%s", what, arg, kUsage);
  return 2;
}

static int unavailable(const char* why) {
  fprintf(stderr, "kiln-snapshot: not available in this sandbox (%s)\n", why);
  return 1;
}

/* The channel's fd, or -1 (with the reason in *why) when this command has none. */
static int channel(const char** why) {
  const char* env = getenv(KILN_SNAPSHOT_FD_ENV);
  if (env == NULL || *env == '\0') {
    *why =
        "kiln gave this command no snapshot channel: the front door that started the sandbox "
        "does not offer snapshots, or the command did not run through kiln's exec agent";
    return -1;
  }
  char* end;
  errno = 0;
  long fd = strtol(env, &end, 10);
  int type = 0;
  socklen_t len = sizeof type;
  if (errno != 0 || *end != '\0' || fd < 0 || fd > INT_MAX ||
      getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET) {
    *why = "$" KILN_SNAPSHOT_FD_ENV
           " names no snapshot channel: a process between the step and "
           "this command closed or replaced it";
    return -1;
  }
  return (int)fd;
}

/* Sends the request with the answer socket's other end. 0, or -1 with errno. */
static int ask(int fd, int answer_end, const char* name, const char* version) {
  char req[KILN_SNAPSHOT_MAX_MESSAGE];
  int len = snprintf(req, sizeof req, "%s%c%s%c%s%c", KILN_SNAPSHOT_VERB, 0, name, 0, version, 0);
  if (len < 0 || (size_t)len >= sizeof req) return errno = EMSGSIZE, -1;
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  struct iovec iov = {req, (size_t)len};
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &answer_end, sizeof(int));
  ssize_t n;
  while ((n = sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  return n == len ? 0 : -1;
}

int kiln_snapshot_main(int argc, char** argv) {
  const char* name = NULL;
  const char* version = "";
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return fputs(kUsage, stdout), 0;
    if (strcmp(a, "--version") == 0) {
      if (i + 1 >= argc) return usage_error("--version needs a value", "");
      version = argv[++i];
    } else if (strncmp(a, "--version=", 10) == 0) {
      version = a + 10;
    } else if (a[0] == '-' && a[1] != '\0') {
      return usage_error("unknown option ", a);
    } else if (name != NULL) {
      return usage_error("one image name only; extra argument ", a);
    } else {
      name = a;
    }
  }
  if (name == NULL || *name == '\0') return usage_error("no image name given", "");
  if (strlen(name) > KILN_SNAPSHOT_MAX_NAME) return usage_error("image name too long", "");
  if (strlen(version) > KILN_SNAPSHOT_MAX_VERSION) return usage_error("--version too long", "");
  const char* why = NULL;
  int fd = channel(&why);
  if (fd < 0) return unavailable(why);
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    fprintf(stderr, "kiln-snapshot: socketpair: %s\n", strerror(errno));
    return 1;
  }
  if (ask(fd, pair[1], name, version) != 0) {
    int e = errno;
    if (e == EPIPE || e == ECONNREFUSED || e == ECONNRESET)
      return unavailable("kiln no longer listens: the step that started this process has ended");
    fprintf(stderr, "kiln-snapshot: send to kiln: %s\n", strerror(e));
    return 1;
  }
  close(pair[1]);
  /* No timeout: a capture takes as long as it takes; kiln closes the answer socket if it ends. */
  char answer[KILN_SNAPSHOT_MAX_MESSAGE + 1];
  ssize_t n;
  while ((n = recv(pair[0], answer, KILN_SNAPSHOT_MAX_MESSAGE, 0)) < 0 && errno == EINTR) {
  }
  if (n <= 0) {
    fputs("kiln-snapshot: kiln hung up without an answer (the step ended?)\n", stderr);
    return 1;
  }
  answer[n] = '\0';
  if (strncmp(answer, "ok ", 3) == 0) {
    printf("%s\n", answer + 3);
    return fflush(stdout) == 0 ? 0 : 1;
  }
  if (strncmp(answer, "error ", 6) == 0) {
    fprintf(stderr, "kiln-snapshot: %s\n", answer + 6);
    return 1;
  }
  fputs("kiln-snapshot: kiln's answer is not understood\n", stderr);
  return 1;
}
