// kiln login HOST, kiln logout HOST
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/fd.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/registry_flags.h"

namespace kiln::cli {
namespace {

const char kLoginHelp[] = R"(NAME
    kiln login - store the credentials of a registry

SYNOPSIS
    kiln login [-u USER] [--password-stdin] [--force] [--tls-verify=false] [--cert-dir DIR]
               HOST

DESCRIPTION
    Checks USER and a password against HOST (a request to /v2/ with them, through the
    registry's basic or token auth), and only when the registry accepts them stores them in
    STATE/auth.json (mode 0600, docker's config.json format). A wrong password stores nothing.
    kiln pull, push and jobs then send them to HOST, and only to HOST.

    A registry that answers /v2/ without asking for credentials (open to anonymous reads)
    cannot check them: kiln then says so and stores nothing, unless --force is given (docker
    stores them silently).

    The password is never taken from the command line: --password-stdin reads it from stdin
    (one line; a trailing newline is dropped); otherwise kiln asks for it on the terminal
    without echoing it. Without -u, kiln asks for the user name on the terminal.

OPTIONS
    -u, --username USER  the user name
    --password-stdin     read the password from stdin
    --force              store the credentials even when the registry did not check them
    --tls-verify=false   do not check the registry's certificate (and allow plain HTTP)
    --cert-dir DIR       HOST's CA (DIR/ca.crt) and client certificate (client.cert,
                         client.key), for HOST only; default /etc/containers/certs.d/HOST/

EXAMPLES
    printf '%s\n' "$PASS" | kiln login -u ci --password-stdin 127.0.0.1:5000
)";

const char kLogoutHelp[] = R"(NAME
    kiln logout - forget the credentials of a registry

SYNOPSIS
    kiln logout HOST

DESCRIPTION
    Removes HOST from STATE/auth.json (kiln login's file). Docker's and podman's own files are
    left alone. Fails when kiln holds no credentials for HOST.
)";

// "https://host:5000/" → "host:5000".
std::string HostOf(std::string text) {
  for (const char* scheme : {"https://", "http://"}) {
    if (text.rfind(scheme, 0) == 0) text = text.substr(std::string(scheme).size());
  }
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

// One line from the terminal, echoed or not.
Result<std::string> Prompt(const std::string& question, bool echo) {
  if (::isatty(STDIN_FILENO) != 1) {
    return InvalidArgument(std::string("no ") + (echo ? "user name (-u USER)" : "password") +
                           " and stdin is not a terminal: use " +
                           (echo ? "-u USER" : "--password-stdin"));
  }
  std::fprintf(stderr, "%s", question.c_str());
  std::fflush(stderr);
  termios saved{};
  bool restore = !echo && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) {
    (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fprintf(stderr, "\n");
  }
  return line;
}

// The credentials being checked, offered to the client for HOST only.
class OneCredential : public registry::CredentialSource {
 public:
  OneCredential(std::string host, registry::Credentials c)
      : host_(std::move(host)), c_(std::move(c)) {}
  Result<std::optional<registry::Credentials>> For(const std::string& host) override {
    if (host != host_) return std::optional<registry::Credentials>();
    return std::optional<registry::Credentials>(c_);
  }

 private:
  std::string host_;
  registry::Credentials c_;
};

Result<registry::Credentials> AskCredentials(const Flags& flags, const std::string& host) {
  registry::Credentials c;
  c.username = flags.Get("--username");
  if (c.username.empty()) {
    ASSIGN_OR_RETURN(c.username, Prompt("Username for " + host + ": ", true));
  }
  if (flags.Has("--password-stdin")) {
    ASSIGN_OR_RETURN(c.password, ReadAll(STDIN_FILENO));
    while (!c.password.empty() && (c.password.back() == '\n' || c.password.back() == '\r')) {
      c.password.pop_back();
    }
  } else {
    ASSIGN_OR_RETURN(c.password, Prompt("Password: ", false));
  }
  if (c.username.empty() || c.password.empty()) {
    return InvalidArgument("login " + host + ": empty user name or password");
  }
  return c;
}

}  // namespace

int LoginCommand(App& app, const Args& args) {
  if (WantsHelp(args, kLoginHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--username", "-u", true},
                                   {"--password-stdin", "", false},
                                   {"--force", "", false},
                                   {"--tls-verify", "", true},
                                   {"--cert-dir", "", true}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 1) {
    return Fail(InvalidArgument("usage: kiln login [-u USER] [--password-stdin] [--force] HOST"));
  }
  std::string host = HostOf(flags->positional()[0]);
  if (Status s = ApplyRegistryFlags(app, *flags, host); !s.ok()) return Fail(s);
  auto credentials = AskCredentials(*flags, host);
  if (!credentials.ok()) return Fail(credentials.status());
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  OneCredential source(host, *credentials);
  auto client = (*engine)->NewRegistryClient(host, &source);
  bool checked = false;
  if (Status s = client->Ping(&checked); !s.ok()) return Fail(s.WithContext("login " + host));
  if (!checked) {
    std::string why = "login " + host +
                      ": the registry answered without asking for credentials, so it did not "
                      "check them";
    if (!flags->Has("--force")) {
      return Fail(FailedPrecondition(why + "; nothing stored (--force stores them unchecked)"));
    }
    std::fprintf(stderr, "warning: %s; storing them unchecked (--force)\n", why.c_str());
  }
  Status saved = (*engine)->Credentials().Save(host, *credentials);
  if (!saved.ok()) return Fail(saved.WithContext("login " + host));
  std::printf("Login Succeeded\n");
  return 0;
}

int LogoutCommand(App& app, const Args& args) {
  if (WantsHelp(args, kLogoutHelp)) return 0;
  auto flags = Flags::Parse(args, {});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 1) return Fail(InvalidArgument("usage: kiln logout HOST"));
  std::string host = HostOf(flags->positional()[0]);
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  Status removed = (*engine)->Credentials().Remove(host);
  if (removed.code() == Code::kNotFound) {
    return Fail(NotFound("logout " + host + ": not logged in (kiln holds no credentials for it)"));
  }
  if (!removed.ok()) return Fail(removed.WithContext("logout " + host));
  std::printf("Removed login credentials for %s\n", host.c_str());
  return 0;
}

}  // namespace kiln::cli
