/* kiln-init: PID 1 of a kiln sandbox. Steps are exec'd into the sandbox by the runtime; their
 * orphans are re-parented here and reaped. SIGTERM or SIGINT ends the sandbox (exit 0). */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, 0);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGCHLD) {
      while (waitpid(-1, 0, WNOHANG) > 0) {
      }
      continue;
    }
    return 0;
  }
}
